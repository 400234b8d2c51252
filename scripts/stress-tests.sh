#!/usr/bin/env bash
# The determinism loop: the unit suite N times in a row, optionally under `stress -c <n>` (CPU hogs
# that make a 2-core machine as loaded as a busy CI runner). One line per run: pass/fail, the load
# average, the time, and the failed tests; jest's JSON per run is kept in the log directory.
#
#   scripts/stress-tests.sh [--runs 10] [--stress 2] [--logs dir] [-- <extra jest args>]
#
# Exit 0 only when every run passed. Any stress it started is stopped (by its own pid) on exit.
set -uo pipefail

runs=10 hogs=0 logs="${TMPDIR:-/tmp}/insight-stress-tests"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --stress) hogs="$2"; shift 2 ;;
    --logs) logs="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "stress-tests: unknown option $1 (use --runs n, --stress n, --logs dir, -- jest args)" >&2; exit 2 ;;
  esac
done
case "$runs$hogs" in *[!0-9]*) echo "stress-tests: --runs and --stress take whole numbers" >&2; exit 2 ;; esac

mkdir -p "$logs"
stress_pid=""
stop_stress() { [ -n "$stress_pid" ] && kill -- "-$stress_pid" 2>/dev/null; stress_pid=""; }
trap stop_stress EXIT INT TERM
if [ "$hogs" -gt 0 ]; then
  command -v stress >/dev/null || { echo "stress-tests: 'stress' is not installed (apt-get install -y stress)" >&2; exit 2; }
  # Its own process group, so stopping it stops its workers and nothing else.
  setsid stress -c "$hogs" >/dev/null 2>&1 &
  stress_pid=$!
fi

summary="$logs/summary.txt"
greens=0
for i in $(seq 1 "$runs"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  started=$(date +%s)
  json="$logs/run-$i.json"
  node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit --no-watchman \
    --silent --maxWorkers=1 --json --outputFile="$json" "$@" >"$logs/run-$i.log" 2>&1
  code=$?
  took=$(( $(date +%s) - started ))
  failed=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const names = r.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === "failed").map((a) => `${f.name.replace(process.cwd() + "/", "")} › ${a.fullName}`));
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).map((f) => `${f.name.replace(process.cwd() + "/", "")} (suite failed to run)`);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${names.concat(broken).length ? ": " + names.concat(broken).join("; ") : ""}`);
  ' "$json" 2>/dev/null || echo "no jest report (exit $code)")
  [ "$code" -eq 0 ] && greens=$((greens + 1))
  line="run $i/$runs $([ "$code" -eq 0 ] && echo PASS || echo FAIL) ${took}s load ${load} stress ${hogs}: ${failed}"
  echo "$line" | tee -a "$summary"
done
echo "$greens/$runs green (logs in $logs)" | tee -a "$summary"
[ "$greens" -eq "$runs" ]
