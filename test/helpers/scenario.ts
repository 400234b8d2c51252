import { ramp, type Scenario } from "../../fixtures/mcp/scenario.js";

/** A small production: api is failing (CrashLoopBackOff, OOM, 5xx rising, a lock chain), web is fine. */
export const production: Scenario = {
  now: "2026-11-23T20:00:00Z",
  prometheus: {
    series: [
      { contains: ['service="api"', 'code=~"5.."'], points: ramp(-1800, 60, (t) => (t > -600 ? 0.12 : 0.01)) },
      { contains: ['service="api"', "http_request_duration_seconds_bucket"], points: ramp(-1800, 60, () => 0.35) },
      { contains: ['service="api"', "http_requests_total"], points: ramp(-1800, 60, () => 120) },
      { contains: ['service="web"', 'code=~"5.."'], points: ramp(-1800, 60, () => 0.002) },
      { contains: ['service="web"', "http_requests_total"], points: ramp(-1800, 60, () => 40) },
    ],
    alerts: [{ alertname: "HighErrorRate", service: "api", severity: "critical" }],
    targets: [{ job: "payments", instance: "10.0.0.9:9100", health: "down" }],
    rules: [
      {
        name: "HighErrorRate",
        query: 'sum(rate(http_requests_total{service="api",code=~"5.."}[5m])) > 0.05',
        labels: { severity: "critical" },
      },
    ],
  },
  postgres: {
    answers: [
      {
        contains: "max_connections",
        rows: [{ total: 95, active: 40, idle_in_transaction: 12, waiting_on_locks: 3, max_connections: 100 }],
      },
      {
        contains: "cardinality(pg_blocking_pids",
        rows: [
          {
            pid: 4242,
            datname: "app",
            state: "active",
            wait_event_type: "Lock",
            wait_event: "tuple",
            waiting_s: 61.5,
            query: "UPDATE orders SET status = 'paid' WHERE id = 1",
            blocked_by: [777],
          },
        ],
      },
      {
        contains: "unnest(pg_blocking_pids",
        rows: [
          {
            pid: 777,
            datname: "app",
            state: "idle in transaction",
            query: "UPDATE orders SET total = total + 1 WHERE id = 1",
            xact_age_s: 300,
          },
        ],
      },
      {
        contains: "interval '30 seconds'",
        rows: [{ pid: 4242, datname: "app", state: "active", running_s: 61.5, query: "UPDATE orders SET status = 'paid' WHERE id = 1" }],
      },
      {
        contains: "pg_stat_database",
        rows: [
          {
            datname: "app",
            deadlocks: 2,
            temp_files: 0,
            temp_bytes: 0,
            xact_commit: 1000,
            xact_rollback: 10,
            blks_hit: 990,
            blks_read: 10,
          },
        ],
      },
      { contains: "pg_extension", rows: [{ n: 1 }] },
      {
        contains: "FROM pg_stat_statements",
        rows: [
          { queryid: "-123", calls: 5000, total_ms: 90000, mean_ms: 18, rows: 5000, query: "SELECT * FROM orders WHERE customer_id = $1" },
        ],
      },
      { contains: "pg_stat_replication", rows: [] },
      {
        contains: "pg_stat_user_tables",
        rows: [{ table: "orders", rows: 48_000_000, bytes: 21_474_836_480, seq_scan: 12, idx_scan: 900000, writes: 120000 }],
      },
    ],
  },
  redis: {
    info: {
      redis_version: "7.0.15",
      role: "master",
      used_memory: 950_000_000,
      maxmemory: 1_000_000_000,
      maxmemory_policy: "allkeys-lru",
      evicted_keys: 48213,
      expired_keys: 10,
      keyspace_hits: 9000,
      keyspace_misses: 1000,
      connected_clients: 310,
      blocked_clients: 0,
      rejected_connections: 4,
      instantaneous_ops_per_sec: 5400,
      uptime_in_seconds: 86400,
      mem_fragmentation_ratio: 1.2,
    },
  },
  kubernetes: {
    pods: [
      {
        namespace: "prod",
        name: "api-5f6b-xyz12",
        status: "CrashLoopBackOff",
        ready: "0/1",
        restarts: 7,
        lastRestartAgo: "11m",
        labels: { app: "api" },
        lastState: "OOMKilled",
        cpu: "250m",
        memory: "120Mi",
      },
      { namespace: "prod", name: "api-5f6b-abc34", status: "Running", ready: "1/1", restarts: 0, labels: { app: "api" } },
      { namespace: "prod", name: "web-7d9c-abcde", status: "Running", ready: "1/1", restarts: 0, labels: { app: "web" } },
    ],
    events: [
      {
        namespace: "prod",
        type: "Warning",
        reason: "BackOff",
        message: "Back-off restarting failed container main in pod api-5f6b-xyz12_prod(uid)",
        kind: "Pod",
        name: "api-5f6b-xyz12",
        at: -60,
        count: 42,
      },
      {
        namespace: "prod",
        type: "Warning",
        reason: "OOMKilling",
        message: "Memory cgroup out of memory: Killed process 1234 (node)",
        kind: "Pod",
        name: "api-5f6b-xyz12",
        at: -700,
      },
      {
        namespace: "prod",
        type: "Normal",
        reason: "Pulled",
        message: "Container image already present",
        kind: "Pod",
        name: "web-7d9c-abcde",
        at: -3000,
      },
    ],
    deployments: [
      { namespace: "prod", name: "api", ready: 1, desired: 2, upToDate: 2, image: "registry/api:1.43.0", labels: { app: "api" } },
    ],
    logs: {
      "api-5f6b-xyz12": [
        "2026-11-23T19:58:54Z WARN  db pool exhausted (active=20 waiting=13)",
        "2026-11-23T19:59:24Z ERROR request failed: connection timeout to payments:5432",
        "2026-11-23T19:59:54Z FATAL out of memory",
      ],
    },
  },
  elasticsearch: {
    index: "logs-app",
    docs: [
      ...Array.from({ length: 30 }, (_, i) => ({
        at: -540 + i * 10,
        level: "ERROR",
        message: `request failed: connection timeout to payments:5432 after ${1000 + i} ms`,
        service: "api",
      })),
      { at: -1500, level: "WARN", message: "slow request GET /orders took 1200 ms", service: "api" },
      { at: -100, level: "ERROR", message: "template render failed", service: "web" },
    ],
  },
  skywalking: {
    services: [
      { id: "YXBp.1", name: "api" },
      { id: "cGF5.1", name: "payments" },
      { id: "d2Vi.1", name: "web" },
    ],
    metrics: {
      api: {
        service_resp_time: ramp(-1800, 60, (t) => (t > -600 ? 900 : 120)),
        service_sla: ramp(-1800, 60, (t) => (t > -600 ? 8800 : 9990)),
      },
    },
    errorTraces: { "YXBp.1": [{ trace_id: "t-1", endpoint_name: "POST /orders", duration_ms: 5012 }] },
    calls: [
      { from: "web", to: "api" },
      { from: "api", to: "payments" },
    ],
    alarms: [
      { id: "a1", message: "Response time of service api is more than 1000ms in 3 minutes of last 10 minutes", scope: "Service", at: -300 },
    ],
  },
  neo4j: {
    databases: [{ name: "neo4j", currentStatus: "online", requestedStatus: "online", role: "primary" }],
    transactions: [{ transactionId: "neo4j-transaction-42", query: "MATCH (n) RETURN count(n)", elapsedMs: 45000, status: "Running" }],
  },
};

/** The services of that production, as `.github/insight.yml` would declare them. */
export const productionServices = {
  api: {
    tier: "critical",
    kubernetes: { namespace: "prod", labels: { app: "api" } },
    prometheus: { labels: { service: "api" } },
    skywalking: { service: "api" },
    logs: { index: "logs-*", fields: { level: "level" } },
    postgres: { tables: ["orders"] },
    redis: {},
    neo4j: {},
  },
  web: {
    kubernetes: { namespace: "prod", labels: { app: "web" } },
    prometheus: { labels: { service: "web" } },
    logs: { index: "logs-*", fields: { level: "level" } },
  },
};
