import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../audit/types.js";
import type { JobQueue } from "../jobs/types.js";
import { metrics } from "./metrics.js";

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
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.render());
    } else {
      const head = await audit?.head().catch(() => undefined);
      // A shared queue (Redis) can be unreachable: say so with 503, the process itself is fine.
      const stats = await Promise.resolve(queue.stats()).catch((err: Error) => ({ error: err.message }));
      const status = "error" in stats ? 503 : 200;
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ status: status === 200 ? "ok" : "queue unavailable", queue: stats, ...(head ? { audit: head } : {}) }));
    }
    return true;
  };
}
