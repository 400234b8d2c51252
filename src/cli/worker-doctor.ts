import { Queue } from "bullmq";
import type { OperatorEnv } from "../config/env.js";
import { rejectOnAbort } from "../core/timers.js";
import { QUEUE_NAME, redisConnection } from "../jobs/bullmq-queue.js";
import { redact } from "../security/redact.js";

type Check = { name: string; ok: boolean; detail: string; warnings?: string[] };

/**
 * `insight doctor`'s queue line with INSIGHT_QUEUE=redis: Redis reachable (within 5 s), jobs by
 * state, workers connected, and the dead-letter set (jobs failed on their last attempt), newest
 * first with their error (redacted). Retry one with BullMQ's tools or redeliver its webhook.
 */
export async function queueCheck(env: OperatorEnv): Promise<Check | undefined> {
  if (env.INSIGHT_QUEUE !== "redis" || !env.INSIGHT_REDIS_URL) return undefined;
  const connection = redisConnection(env.INSIGHT_REDIS_URL, "queue");
  connection.on("error", () => undefined);
  const queue = new Queue(QUEUE_NAME, { connection, prefix: env.INSIGHT_REDIS_PREFIX });
  queue.on("error", () => undefined);
  try {
    const read = async () => {
      const counts = await queue.getJobCounts("waiting", "delayed", "active", "failed");
      const workers = await queue.getWorkersCount();
      const dead = await queue.getFailed(0, 4);
      return { counts, workers, dead };
    };
    // BullMQ's calls take no signal, and wait for a connection that may never come: race them.
    const { counts, workers, dead } = await Promise.race([read(), rejectOnAbort(AbortSignal.timeout(5_000), "no answer within 5 s")]);
    const detail = `BullMQ '${env.INSIGHT_REDIS_PREFIX}:${QUEUE_NAME}': ${counts.waiting ?? 0} waiting, ${counts.delayed ?? 0} delayed, ${counts.active ?? 0} running, ${counts.failed ?? 0} in the dead-letter set; ${workers} worker connection${workers === 1 ? "" : "s"}`;
    const warnings = [
      ...(workers === 0 ? ["no worker is connected: start 'insight worker' processes, or jobs wait in Redis"] : []),
      ...dead.map(
        (j) =>
          `dead letter ${j.id} (${j.name}, ${j.attemptsMade} attempts, ${new Date(j.finishedOn ?? j.timestamp).toISOString()}): ${redact(String(j.failedReason ?? "")).slice(0, 200)}`,
      ),
    ];
    return { name: "queue", ok: true, detail, warnings };
  } catch (e) {
    return {
      name: "queue",
      ok: false,
      detail: `Redis at ${env.INSIGHT_REDIS_URL.replace(/\/\/[^@/]*@/, "//***@")}: ${(e as Error).message}`,
    };
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
