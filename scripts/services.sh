#!/usr/bin/env bash
# Starts (or stops) the real services the integration tests use, on 127.0.0.1 only:
# PostgreSQL and Redis (they come with the machine; started if down), and Prometheus scraping
# prometheus-postgres-exporter and prometheus-redis-exporter (Debian packages, installed if
# missing) with a temporary config, a dead target and an alert rule that fires on it.
set -uo pipefail
cmd=${1:-start}
STATE=${INSIGHT_SERVICES_DIR:-/tmp/insight-services}
PROM_PORT=19090 PG_EXPORTER_PORT=19187 REDIS_EXPORTER_PORT=19121
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PGSS_PORT=15433 PGSS_DIR="$STATE/pgss"
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
pgss_up() { pg_isready -h 127.0.0.1 -p "$PGSS_PORT" -q 2>/dev/null; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
# A private PostgreSQL that preloads pg_stat_statements (the machine's own does not), so the
# statement-delta findings are tested on real counters: 127.0.0.1:15433, trust, user postgres.
pgss_start() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || return 1
  pgss_up && return 0
  rm -rf "$PGSS_DIR" && mkdir -p "$PGSS_DIR" && chown postgres "$PGSS_DIR" || return 1
  runuser -u postgres -- "$bin/initdb" -D "$PGSS_DIR/data" -A trust -U postgres >"$STATE/pgss-initdb.log" 2>&1 || return 1
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGSS_DIR/data" -l "$PGSS_DIR/server.log" -w -o \
    "-p $PGSS_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGSS_DIR -c shared_preload_libraries=pg_stat_statements" start >/dev/null
}
pgss_stop() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] && [ -d "$PGSS_DIR/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$PGSS_DIR/data" -m fast stop >/dev/null 2>&1
  rm -rf "$PGSS_DIR"
}
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
prom_up() { curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1; }

start_bg() { # name, command...
  local name=$1; shift
  nohup "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

stop_all() {
  for pidfile in "$STATE"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "$cmd" in
  start)
    mkdir -p "$STATE"
    if command -v pg_ctlcluster >/dev/null && ! pg_up; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    pgss_start || echo "could not start the pg_stat_statements PostgreSQL (see $STATE/pgss-initdb.log, $PGSS_DIR/server.log)"
    if command -v redis-server >/dev/null && ! redis_up; then
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/insight-redis.log || true
    fi
    if ! command -v prometheus >/dev/null || ! command -v prometheus-postgres-exporter >/dev/null || ! command -v prometheus-redis-exporter >/dev/null; then
      echo "installing prometheus and exporters (Debian packages)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus prometheus-postgres-exporter prometheus-redis-exporter) >"$STATE/apt.log" 2>&1 \
        || echo "could not install prometheus (see $STATE/apt.log)"
    fi
    # The real kubernetes-mcp-server (a Go binary published per platform on npm). Its npm wrapper
    # cannot be a dependency: the registry lacks its non-Linux platform packages, so no lock file
    # would satisfy `npm ci`. The Linux package is installed here, outside package.json.
    case "$(uname -m)" in aarch64|arm64) k8s_pkg=kubernetes-mcp-server-linux-arm64 ;; *) k8s_pkg=kubernetes-mcp-server-linux-amd64 ;; esac
    if [ ! -x "$ROOT/.tools/node_modules/$k8s_pkg/bin/$k8s_pkg" ]; then
      npm install --no-save --no-audit --no-fund --prefix "$ROOT/.tools" "$k8s_pkg@0.0.67" >"$STATE/k8s-install.log" 2>&1 \
        || echo "could not install $k8s_pkg (see $STATE/k8s-install.log)"
    fi
    ln -sf "$ROOT/.tools/node_modules/$k8s_pkg/bin/$k8s_pkg" "$ROOT/.tools/kubernetes-mcp-server" 2>/dev/null
    stop_all
    cat >"$STATE/rules.yml" <<RULES
groups:
  - name: insight-integration
    interval: 2s
    rules:
      - alert: TargetDown
        expr: up == 0
        labels: { severity: critical }
        annotations: { summary: "target {{ \$labels.instance }} down" }
      - alert: RedisEvicting
        expr: increase(redis_evicted_keys_total[1m]) > 0
        labels: { severity: warning }
RULES
    cat >"$STATE/prometheus.yml" <<CONF
global: { scrape_interval: 2s, evaluation_interval: 2s }
rule_files: ["$STATE/rules.yml"]
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ["127.0.0.1:$PROM_PORT"] }]
  - job_name: postgres
    static_configs: [{ targets: ["127.0.0.1:$PG_EXPORTER_PORT"] }]
  - job_name: redis
    static_configs: [{ targets: ["127.0.0.1:$REDIS_EXPORTER_PORT"] }]
  - job_name: dead-target
    static_configs: [{ targets: ["127.0.0.1:9"] }]
CONF
    if command -v prometheus >/dev/null; then
      DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable" \
        start_bg postgres-exporter prometheus-postgres-exporter --web.listen-address="127.0.0.1:$PG_EXPORTER_PORT"
      start_bg redis-exporter prometheus-redis-exporter -web.listen-address "127.0.0.1:$REDIS_EXPORTER_PORT" -redis.addr redis://127.0.0.1:6379
      start_bg prometheus prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/tsdb" \
        --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=1h
      for _ in $(seq 1 60); do prom_up && break; sleep 0.5; done
    fi
    pg_up && echo "postgresql: up" || echo "postgresql: not available"
    pgss_up && echo "postgresql with pg_stat_statements: up on 127.0.0.1:$PGSS_PORT" || echo "postgresql with pg_stat_statements: not available"
    redis_up && echo "redis: up" || echo "redis: not available"
    prom_up && echo "prometheus: up on 127.0.0.1:$PROM_PORT" || echo "prometheus: not available"
    [ -x "$ROOT/.tools/kubernetes-mcp-server" ] && echo "kubernetes-mcp-server: $ROOT/.tools/kubernetes-mcp-server" || echo "kubernetes-mcp-server: not available"
    ;;
  stop)
    # The machine's own PostgreSQL and Redis are left running.
    stop_all
    pgss_stop
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
