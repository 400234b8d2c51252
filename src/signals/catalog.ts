/**
 * The names of the signals adapters emit and analysis reads, in one place: adapters and analysis
 * write `SIGNAL.httpErrorRate`, never `"http.error_rate"`, and `Signal.name` is a `SignalName`, so
 * a misspelt or renamed signal is a compile error, not a silent miss. An adapter that emits a new
 * name adds it here; test/unit/signals/catalog.test.ts fails on a name no adapter emits.
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
  containerCpuThrottled: "container.cpu_throttled",
  containerCpuUsage: "container.cpu_usage",
  containerIoWriteBytes: "container.io_write_bytes",
  containerMemoryWorkingSet: "container.memory_working_set",
  containerNetworkReceiveBytes: "container.network_receive_bytes",
  containerNetworkTransmitBytes: "container.network_transmit_bytes",
  esClusterHealth: "es.cluster_health",
  esThreadPoolRejected: "es.thread_pool_rejected",
  httpErrorRate: "http.error_rate",
  httpLatencyP95: "http.latency_p95",
  httpRequestRate: "http.request_rate",
  k8sCronjobs: "k8s.cronjobs",
  k8sDeploymentSpec: "k8s.deployment_spec",
  k8sEvent: "k8s.event",
  k8sNodeEvent: "k8s.node_event",
  k8sObjects: "k8s.objects",
  k8sPodLog: "k8s.pod_log",
  k8sPodResources: "k8s.pod_resources",
  k8sPods: "k8s.pods",
  k8sPreviousLog: "k8s.previous_log",
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
  redisCpuUsage: "redis.cpu_usage",
  redisEvictedKeys: "redis.evicted_keys",
  redisEvictionsRate: "redis.evictions_rate",
  redisHitRatio: "redis.hit_ratio",
  redisMemoryUsage: "redis.memory_usage",
  redisMemoryUsed: "redis.memory_used",
  redisOpsPerSec: "redis.ops_per_sec",
  redisRejectedConnections: "redis.rejected_connections",
  redisServer: "redis.server",
  targetDown: "target.down",
} as const;

/** Prefix of the per-state pod signals (`k8s.pod.crashloop`, `k8s.pod.oom`, …): the state is the pod's own reason. */
export const K8S_POD_PREFIX = "k8s.pod.";

/** A per-state pod signal's name: `k8s.pod.<state>`. */
export type PodStateSignalName = `${typeof K8S_POD_PREFIX}${string}`;

/** Every name a signal can have: a catalog entry, or a per-state pod signal. */
export type SignalName = (typeof SIGNAL)[keyof typeof SIGNAL] | PodStateSignalName;

/** What a source can provide; analysis asks for a capability, never for an adapter by name. */
export const PROVISIONS = ["metrics", "logs", "apm", "db", "cache", "graph", "cluster"] as const;
export type Provision = (typeof PROVISIONS)[number];
