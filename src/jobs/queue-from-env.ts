import type { Logger } from "probot";
import type { OperatorEnv } from "../config/env.js";
import type { JobQueue } from "./types.js";

/**
 * With INSIGHT_QUEUE=redis: the server's queue, which only enqueues (its job runner is unused:
 * workers run jobs). BullMQ and ioredis are loaded here, only then, so a server on the in-process
 * queue starts without them.
 */
export async function redisQueueFromEnv(env: OperatorEnv): Promise<((run: unknown, log: Logger) => JobQueue) | undefined> {
  if (env.INSIGHT_QUEUE !== "redis" || !env.INSIGHT_REDIS_URL) return undefined;
  const { RedisQueue } = await import("./bullmq-queue.js");
  return (_run, log) =>
    new RedisQueue({
      url: env.INSIGHT_REDIS_URL!,
      prefix: env.INSIGHT_REDIS_PREFIX,
      log,
      debounceMs: env.INSIGHT_DEBOUNCE_MS,
      attempts: env.INSIGHT_JOB_ATTEMPTS,
    });
}
