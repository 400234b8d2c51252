// Reads jest's --json result files and prints the closing line CI looks for: `N passed, N failed`,
// exiting non-zero on any failure. A missing result file counts as a failure (a suite that did not
// report did not pass); `--also-failed=N` adds failures from outside jest (typecheck, services).
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--also-failed=")) {
    failed += Number(arg.split("=")[1]) || 0;
    continue;
  }
  try {
    const r = JSON.parse(readFileSync(arg, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } catch (e) {
    console.error(`no test results in ${arg}: ${e.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
