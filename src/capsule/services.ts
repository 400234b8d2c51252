import type { A2AClient } from "./a2a-client.js";
import type { CapsulePublisher } from "./publisher.js";

/** EvoMap, when the operator enabled it: the hub client (lookups) and the outbox-backed publisher. */
export type EvoMapServices = { publisher: CapsulePublisher; client: A2AClient };
