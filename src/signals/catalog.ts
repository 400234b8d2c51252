/**
 * The names of the signals adapters emit and analysis reads, in one place: analysis imports
 * `SIGNAL.httpErrorRate` rather than spelling `"http.error_rate"` again, so a renamed signal is a
 * compile error, not a silent miss. An adapter that emits a new name adds it here.
 */
export const SIGNAL = {
  alertFiring: "alert.firing",
  alertHistory: "alert.history",
  alertRules: "alert.rules",
  apmAlarm: "apm.alarm",
  apmErrorTraces: "apm.error_traces",
  apmLatencyAvg: "apm.latency_avg",
  apmLatencyP95: "apm.latency_p95",
  apmSla: "apm.sla",
  apmThroughput: "apm.throughput",
  apmTopology: "apm.topology",
  dbCpuUsage: "db.cpu_usage",
  dbIowait: "db.iowait",
  esClusterHealth: "es.cluster_health",
  esThreadPoolRejected: "es.thread_pool_rejected",
  httpErrorRate: "http.error_rate",
  httpLatencyP95: "http.latency_p95",
  httpRequestRate: "http.request_rate",
  k8sCronjobs: "k8s.cronjobs",
  k8sDeploymentSpec: "k8s.deployment_spec",
  k8sEvent: "k8s.event",
  k8sNodeEvent: "k8s.node_event",
  k8sPodLog: "k8s.pod_log",
  k8sPodResources: "k8s.pod_resources",
  k8sPods: "k8s.pods",
  k8sRollout: "k8s.rollout",
  k8sWarningEvent: "k8s.warning_event",
  logsErrorCount: "logs.error_count",
  logsSamples: "logs.samples",
  neo4jDatabases: "neo4j.databases",
  neo4jLongTransactions: "neo4j.long_transactions",
  pgActiveWaits: "pg.active_waits",
  pgBlockedQueries: "pg.blocked_queries",
  pgConnections: "pg.connections",
  pgConnectionsUsage: "pg.connections_usage",
  pgDatabase: "pg.database",
  pgLongRunningQueries: "pg.long_running_queries",
  pgReplicationLag: "pg.replication_lag",
  pgTables: "pg.tables",
  pgTopStatements: "pg.top_statements",
  processMemoryBytes: "process.memory_bytes",
  redisConnectedClients: "redis.connected_clients",
  redisEvictedKeys: "redis.evicted_keys",
  redisEvictionsRate: "redis.evictions_rate",
  redisMemoryUsage: "redis.memory_usage",
  redisMemoryUsed: "redis.memory_used",
  redisServer: "redis.server",
  targetDown: "target.down",
} as const;

export type SignalName = (typeof SIGNAL)[keyof typeof SIGNAL];

/** Prefix of the per-state pod signals (`k8s.pod.crashloop`, `k8s.pod.oom`, …). */
export const K8S_POD_PREFIX = "k8s.pod.";

/** What a source can provide; analysis asks for a capability, never for an adapter by name. */
export const PROVISIONS = ["metrics", "logs", "apm", "db", "cache", "graph", "cluster"] as const;
export type Provision = (typeof PROVISIONS)[number];
