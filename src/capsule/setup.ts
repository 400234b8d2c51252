import { join } from "node:path";
import type { Logger } from "probot";
import type { AuditLog } from "../audit/types.js";
import type { OperatorEnv } from "../config/env.js";
import { A2AClient } from "./a2a-client.js";
import type { EvoMapServices } from "./services.js";
import { Outbox, type OutboxEntry, type OutboxStore } from "./outbox.js";
import { CapsulePublisher, type PublishOutcome } from "./publisher.js";
import { NodeIdentityStore } from "./node-identity.js";

/** EvoMap's client and publisher when the operator enabled it (`EVOMAP_ENABLED`); undefined otherwise. */
export function createEvoMap(
  env: OperatorEnv,
  audit: AuditLog,
  log: Logger,
  outbox: OutboxStore = new Outbox(join(env.INSIGHT_DATA_DIR, "outbox")),
  onDecided?: (entry: OutboxEntry, outcome: Extract<PublishOutcome, { status: "decided" }>) => Promise<void>,
): EvoMapServices | undefined {
  if (!env.EVOMAP_ENABLED) return undefined;
  const client = new A2AClient({
    hubUrl: env.EVOMAP_HUB_URL,
    identity: new NodeIdentityStore(env.EVOMAP_NODE_FILE ?? join(env.INSIGHT_DATA_DIR, "evomap-node.json")),
  });
  const publisher = new CapsulePublisher({ client, outbox, audit, log, onDecided });
  return { client, publisher };
}

/**
 * The background side: a heartbeat at the hub's interval (re-registering on `unknown_node`,
 * waiting out rate limits) and an outbox drain every minute. Timers are unref'd; `stop` ends both.
 */
export function startEvoMapLoop(
  evomap: EvoMapServices,
  log: Pick<Logger, "warn" | "info">,
  options: { drainEveryMs?: number } = {},
): { stop(): void } {
  const startedAt = Date.now();
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = async () => {
    const r = await evomap.client.heartbeat(startedAt);
    const next = r.ok ? r.value.nextInMs : r.error.kind === "rate_limited" ? r.error.retryAfterMs + 5_000 : 60_000;
    if (!r.ok) log.warn({ kind: r.error.kind, error: r.error.message }, "EvoMap heartbeat failed");
    if (!stopped) heartbeatTimer = setTimeout(() => void beat(), next).unref();
  };
  void beat();
  const drain = setInterval(() => {
    evomap.publisher.drain().catch((err: Error) => log.warn({ error: err.message }, "EvoMap outbox drain failed"));
  }, options.drainEveryMs ?? 60_000).unref();
  return {
    stop() {
      stopped = true;
      if (heartbeatTimer) clearTimeout(heartbeatTimer);
      clearInterval(drain);
    },
  };
}
