import { randomBytes } from "node:crypto";
import { arch, platform } from "node:os";
import { z } from "zod";
import { signBundle } from "./hashing.js";
import { newNodeId, type NodeIdentity, type NodeIdentityStore } from "./node-identity.js";
import type { Bundle } from "./schemas.js";

/** Why a hub call did not give an answer to act on. */
export type HubError =
  | { kind: "rate_limited"; retryAfterMs: number; message: string }
  | { kind: "unavailable"; status?: number; message: string }
  | { kind: "refused"; status: number; message: string; correction?: { problem?: string; fix?: string } };
export type HubResult<T> = { ok: true; value: T } | { ok: false; error: HubError };

export type PublishDecision = {
  decision: "accept" | "quarantine" | "rejected";
  bundleId?: string;
  reason?: string;
  correction?: { problem?: string; fix?: string };
};
export type FoundCapsule = {
  assetId: string;
  summary: string;
  confidence: number;
  successStreak: number;
  reputation: number;
  nodeId?: string;
  /** Its keywords (the hub's `trigger` / `signals_match`). */
  keywords: string[];
  url: string;
};

const MAX_ANSWER_BYTES = 1024 * 1024;
const correction = z.object({ problem: z.string().optional(), fix: z.string().optional() }).optional();
const errorBody = z
  .object({ error: z.string(), correction, retry_after_ms: z.number().optional(), message: z.string().optional() })
  .loose();

export type A2AClientOptions = {
  hubUrl: string;
  identity: NodeIdentityStore;
  timeoutMs?: number;
  fetch?: typeof fetch;
};

/**
 * The GEP-A2A client: envelopes, the node's registration (hello) and heartbeat, validate before
 * publish, search-only fetch and node reputation. Every call is bounded (timeout, answer size)
 * and comes back as a result: rate limits with the hub's retry time, outages, refusals with the
 * hub's `{error, correction}`.
 */
export class A2AClient {
  readonly #o: Required<Omit<A2AClientOptions, "fetch">> & { fetch: typeof fetch };
  #node?: NodeIdentity;

  constructor(options: A2AClientOptions) {
    this.#o = { timeoutMs: 15_000, fetch: globalThis.fetch, ...options, hubUrl: options.hubUrl.replace(/\/+$/, "") };
  }

  get hubUrl(): string {
    return this.#o.hubUrl;
  }

  /** The registered node, registering it (hello) the first time. */
  async node(): Promise<HubResult<NodeIdentity>> {
    this.#node ??= await this.#o.identity.read();
    if (this.#node?.node_secret) return { ok: true, value: this.#node };
    return this.hello();
  }

  /** Registers (or re-registers) this node; keeps the id and secret in the operator file. */
  async hello(): Promise<HubResult<NodeIdentity>> {
    const known = this.#node ?? (await this.#o.identity.read());
    const senderId = known?.node_id ?? newNodeId();
    const r = await this.#post(
      "hello",
      senderId,
      {
        capabilities: { rca: true, fix: true },
        gene_count: null,
        capsule_count: null,
        env_fingerprint: { platform: platform(), arch: arch() },
      },
      false,
    );
    if (!r.ok) return r;
    const answer = z
      .object({
        your_node_id: z.string().optional(),
        node_secret: z.string().optional(),
        heartbeat_interval_ms: z.number().optional(),
        payload: z
          .object({ your_node_id: z.string().optional(), node_secret: z.string().optional(), heartbeat_interval_ms: z.number().optional() })
          .loose()
          .optional(),
      })
      .loose()
      .safeParse(r.value);
    const body = answer.success ? { ...answer.data, ...answer.data.payload } : {};
    if (!body.node_secret || !/^[0-9a-f]{64}$/i.test(body.node_secret))
      return { ok: false, error: { kind: "unavailable", message: "the hub's hello answer has no node_secret" } };
    const node: NodeIdentity = {
      node_id: body.your_node_id && /^node_/.test(body.your_node_id) ? body.your_node_id : senderId,
      node_secret: body.node_secret,
      heartbeat_interval_ms: body.heartbeat_interval_ms ?? 900_000,
      hub: this.#o.hubUrl,
    };
    await this.#o.identity.write(node);
    this.#node = node;
    return { ok: true, value: node };
  }

  /** One heartbeat; `unknown_node` → hello again. Says when the next one is due. */
  async heartbeat(startedAt: number): Promise<HubResult<{ status: "ok" | "reregistered"; nextInMs: number }>> {
    const node = await this.node();
    if (!node.ok) return node;
    const r = await this.#request(
      "heartbeat",
      {
        node_id: node.value.node_id,
        sender_id: node.value.node_id,
        version: "1.0.0",
        uptime_ms: Date.now() - startedAt,
        timestamp: new Date().toISOString(),
      },
      true,
    );
    if (!r.ok) return r;
    const status = (r.value as { status?: string }).status;
    if (status === "unknown_node") {
      const again = await this.hello();
      return again.ok ? { ok: true, value: { status: "reregistered", nextInMs: again.value.heartbeat_interval_ms } } : again;
    }
    return { ok: true, value: { status: "ok", nextInMs: node.value.heartbeat_interval_ms } };
  }

  /** `/a2a/validate` (a dry-run publish) then `/a2a/publish`; a failed validation is the decision. */
  async publish(bundle: Bundle): Promise<HubResult<PublishDecision & { validated: boolean }>> {
    const node = await this.node();
    if (!node.ok) return node;
    const payload = {
      assets: [bundle.gene, bundle.capsule, ...(bundle.event ? [bundle.event] : [])],
      signature: signBundle(node.value.node_secret!, bundle.gene.asset_id!, bundle.capsule.asset_id!),
    };
    const checked = await this.#post("validate", node.value.node_id, payload, true);
    if (!checked.ok && checked.error.kind === "refused" && [401, 403].includes(checked.error.status)) {
      // Our credentials, not the bundle: register again next time and keep the bundle.
      this.#node = { ...node.value, node_secret: undefined };
      return {
        ok: false,
        error: {
          kind: "unavailable",
          status: checked.error.status,
          message: `the hub refused this node's credentials (${checked.error.message}); it will register again`,
        },
      };
    }
    if (!checked.ok) {
      if (checked.error.kind === "refused")
        return {
          ok: true,
          value: { decision: "rejected", validated: false, reason: checked.error.message, correction: checked.error.correction },
        };
      return checked;
    }
    const published = await this.#post("publish", node.value.node_id, payload, true);
    if (!published.ok) {
      if (published.error.kind === "refused")
        return {
          ok: true,
          value: { decision: "rejected", validated: true, reason: published.error.message, correction: published.error.correction },
        };
      return published;
    }
    const v = published.value as Record<string, any>;
    const body = { ...v, ...(typeof v.payload === "object" ? v.payload : {}) };
    const decision = ["accept", "quarantine", "rejected"].includes(body.decision)
      ? body.decision
      : body.status === "accepted"
        ? "accept"
        : undefined;
    if (!decision)
      return {
        ok: false,
        error: { kind: "unavailable", message: `the hub's publish answer has no decision: ${JSON.stringify(v).slice(0, 200)}` },
      };
    return { ok: true, value: { decision, validated: true, bundleId: body.bundle_id, reason: body.reason, correction: body.correction } };
  }

  /** Search-only fetch of capsules by keywords (metadata, free; GEP's field for them is `signals`). */
  async search(keywords: string[], limit = 10): Promise<HubResult<FoundCapsule[]>> {
    const node = await this.node();
    if (!node.ok) return node;
    const r = await this.#post("fetch", node.value.node_id, { asset_type: "Capsule", signals: keywords, search_only: true, limit }, true);
    if (!r.ok) return r;
    const v = r.value as Record<string, any>;
    const results = (Array.isArray(v.payload?.results) ? v.payload.results : Array.isArray(v.results) ? v.results : []) as Array<
      Record<string, any>
    >;
    return {
      ok: true,
      value: results
        .filter((x) => typeof x.asset_id === "string")
        .map((x) => ({
          assetId: x.asset_id,
          summary: String(x.summary ?? x.asset?.summary ?? ""),
          confidence: Number(x.confidence ?? x.asset?.confidence ?? 0),
          successStreak: Number(x.success_streak ?? x.asset?.success_streak ?? 0),
          reputation: Number(x.reputation ?? x.source_reputation ?? x.node_reputation ?? 50),
          nodeId: x.source_node_id ?? x.sender_id,
          keywords: (x.trigger ?? x.signals_match ?? x.asset?.trigger ?? []) as string[],
          url: `${this.#o.hubUrl}/a2a/assets/${encodeURIComponent(x.asset_id)}`,
        })),
    };
  }

  /** The node's reputation (0–100), from `GET /a2a/nodes/:id`. */
  async reputation(nodeId?: string): Promise<HubResult<number>> {
    const id = nodeId ?? (await this.#o.identity.read())?.node_id;
    if (!id) return { ok: false, error: { kind: "unavailable", message: "this node is not registered yet (no hello)" } };
    const r = await this.#http("GET", `/a2a/nodes/${encodeURIComponent(id)}`, undefined, false);
    if (!r.ok) return r;
    const v = r.value as Record<string, any>;
    const rep = Number(v.reputation ?? v.reputation_score ?? v.node?.reputation ?? v.payload?.reputation);
    return Number.isFinite(rep)
      ? { ok: true, value: rep }
      : { ok: false, error: { kind: "unavailable", message: "the hub's node answer has no reputation" } };
  }

  #post(type: string, senderId: string, payload: unknown, auth: boolean): Promise<HubResult<unknown>> {
    const envelope = {
      protocol: "gep-a2a",
      protocol_version: "1.0.0",
      message_type: type,
      message_id: `msg_${Date.now()}_${randomBytes(4).toString("hex")}`,
      sender_id: senderId,
      timestamp: new Date().toISOString(),
      payload,
    };
    return this.#http("POST", `/a2a/${type}`, envelope, auth);
  }

  #request(type: string, body: unknown, auth: boolean): Promise<HubResult<unknown>> {
    return this.#http("POST", `/a2a/${type}`, body, auth);
  }

  async #http(method: "GET" | "POST", path: string, body: unknown, auth: boolean): Promise<HubResult<unknown>> {
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    };
    if (auth && this.#node?.node_secret) headers.authorization = `Bearer ${this.#node.node_secret}`;
    let res: Response;
    try {
      res = await this.#o.fetch(`${this.#o.hubUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      return {
        ok: false,
        error: { kind: "unavailable", message: e.name === "TimeoutError" ? `no answer in ${this.#o.timeoutMs} ms` : e.message },
      };
    }
    const text = await readCapped(res, MAX_ANSWER_BYTES);
    if (text === undefined)
      return { ok: false, error: { kind: "unavailable", status: res.status, message: `answer over ${MAX_ANSWER_BYTES} bytes refused` } };
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      return { ok: false, error: { kind: "unavailable", status: res.status, message: `answer is not JSON (HTTP ${res.status})` } };
    }
    const err = errorBody.safeParse(json);
    if (res.status === 429 || (err.success && err.data.error === "rate_limited")) {
      const retry = err.success ? err.data.retry_after_ms : undefined;
      const header = Number(res.headers.get("retry-after")) * 1000;
      return {
        ok: false,
        error: {
          kind: "rate_limited",
          retryAfterMs: retry ?? (Number.isFinite(header) && header > 0 ? header : 60_000),
          message: "rate limited by the hub",
        },
      };
    }
    if (res.status >= 500)
      return { ok: false, error: { kind: "unavailable", status: res.status, message: `hub error HTTP ${res.status}` } };
    if (res.status >= 400 || err.success) {
      return {
        ok: false,
        error: {
          kind: "refused",
          status: res.status,
          message: err.success ? err.data.error : `HTTP ${res.status}`,
          correction: err.success ? err.data.correction : undefined,
        },
      };
    }
    return { ok: true, value: json };
  }
}

/** The body as text, or undefined when it is larger than `limit` bytes (reading stops there). */
async function readCapped(res: Response, limit: number): Promise<string | undefined> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
