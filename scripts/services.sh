#!/usr/bin/env bash
# Starts (or stops) the real services the integration tests use, on 127.0.0.1 only:
# PostgreSQL and Redis (they come with the machine; started if down), and Prometheus scraping
# prometheus-postgres-exporter and prometheus-redis-exporter (Debian packages, installed if
# missing) with a temporary config, a dead target and an alert rule that fires on it.
set -uo pipefail
cmd=${1:-start}
STATE=${INSIGHT_SERVICES_DIR:-/tmp/insight-services}
PROM_PORT=19090 PG_EXPORTER_PORT=19187 REDIS_EXPORTER_PORT=19121

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
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
    if command -v redis-server >/dev/null && ! redis_up; then
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/insight-redis.log || true
    fi
    if ! command -v prometheus >/dev/null || ! command -v prometheus-postgres-exporter >/dev/null || ! command -v prometheus-redis-exporter >/dev/null; then
      echo "installing prometheus and exporters (Debian packages)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus prometheus-postgres-exporter prometheus-redis-exporter) >"$STATE/apt.log" 2>&1 \
        || echo "could not install prometheus (see $STATE/apt.log)"
    fi
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
    redis_up && echo "redis: up" || echo "redis: not available"
    prom_up && echo "prometheus: up on 127.0.0.1:$PROM_PORT" || echo "prometheus: not available"
    ;;
  stop)
    # The machine's own PostgreSQL and Redis are left running.
    stop_all
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
