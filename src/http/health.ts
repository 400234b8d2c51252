import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../audit/types.js";
import type { JobQueue } from "../jobs/types.js";

const started = Date.now();

/** Prometheus text exposition of the queue's counters and gauges. */
export function renderMetrics(queue: JobQueue): string {
  const { counts, pending, running } = queue.stats();
  const lines = [
    "# HELP insight_jobs_total Jobs by outcome since start.",
    "# TYPE insight_jobs_total counter",
    ...Object.entries(counts).map(([outcome, n]) => `insight_jobs_total{outcome="${outcome}"} ${n}`),
    "# HELP insight_queue_pending Jobs waiting (debouncing or ready).",
    "# TYPE insight_queue_pending gauge",
    `insight_queue_pending ${pending}`,
    "# HELP insight_queue_running Jobs running now.",
    "# TYPE insight_queue_running gauge",
    `insight_queue_running ${running}`,
    "# HELP insight_uptime_seconds Seconds since the process started.",
    "# TYPE insight_uptime_seconds gauge",
    `insight_uptime_seconds ${Math.round((Date.now() - started) / 1000)}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * `/health` (liveness, queue state and the audit chain's head, JSON) and `/metrics` (Prometheus),
 * added to Probot's server. Returns false for any other path so Probot's own handlers answer it.
 * The head (seq and hash of the last audit entry) is what a monitor records, so that
 * `insight audit verify --expect-head <seq:hash>` later catches a cut or rebuilt log.
 */
export function createHealthHandler(getQueue: () => JobQueue | undefined, audit?: Pick<AuditLog, "head">) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || (path !== "/health" && path !== "/metrics")) return false;
    const queue = getQueue();
    if (!queue) {
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "starting" }));
      return true;
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(renderMetrics(queue));
    } else {
      const head = await audit?.head().catch(() => undefined);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", queue: queue.stats(), ...(head ? { audit: head } : {}) }));
    }
    return true;
  };
}
