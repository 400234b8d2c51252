#!/usr/bin/env bash
# Starts (or stops) the real services the integration tests use, on 127.0.0.1 only.
# PostgreSQL and Redis come with the machine; this makes sure they are up.
set -uo pipefail
cmd=${1:-start}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

case "$cmd" in
  start)
    if command -v pg_ctlcluster >/dev/null && ! pg_up; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    if command -v redis-server >/dev/null && ! redis_up; then
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/insight-redis.log || true
    fi
    pg_up && echo "postgresql: up" || echo "postgresql: not available"
    redis_up && echo "redis: up" || echo "redis: not available"
    ;;
  stop)
    # The machine's own PostgreSQL and Redis are left running.
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
