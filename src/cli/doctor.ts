import { access, constants, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { A2AClient } from "../capsule/a2a-client.js";
import { NodeIdentityStore } from "../capsule/node-identity.js";
import { Outbox } from "../capsule/outbox.js";
import { verifyAuditFile } from "../audit/file-audit-log.js";
import { signingKeys } from "../audit/signing-key.js";
import { displayUrl } from "../store/pg/pool.js";
import { credentialState, envWarnings, loadEnv, type OperatorEnv } from "../config/env.js";
import { checkAppCredentials } from "./check-app.js";
import { ConfigError } from "../config/format-issues.js";
import type { McpServersConfig } from "../config/mcp-servers.js";
import pino from "pino";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { inspectSource } from "../signals/inspect.js";
import { McpPool } from "../signals/mcp-pool.js";
import { type Cli, ok } from "./output.js";
import { FileHistoryStore, type HistoryStore } from "../history/store.js";

export type Check = { name: string; ok: boolean; detail: string; warnings?: string[] };

/**
 * `insight doctor`: what this installation can and cannot do, each line ✅/❌ with the reason.
 * Checks only; changes nothing.
 */
export async function doctor(options: { json?: boolean; dotEnv?: string }, cli: Cli): Promise<number> {
  const checks: Check[] = [];
  let env: OperatorEnv | undefined;
  const source = options.dotEnv ? `environment and ${options.dotEnv}` : "environment (no .env file)";
  try {
    env = loadEnv(cli.env);
    checks.push({ name: "environment", ok: true, detail: `${source}: every variable valid`, warnings: envWarnings(cli.env) });
  } catch (e) {
    checks.push({
      name: "environment",
      ok: false,
      detail: `${source}: ${e instanceof ConfigError ? e.problems.join("; ") : (e as Error).message}`,
    });
  }
  if (env) {
    checks.push(mode(env, credentialState(cli.env)));
    const app = credentials(env);
    checks.push(app.ok ? { ...app, ...(await checkAppCredentials(env)) } : app);
    if (env.INSIGHT_DATABASE_URL) {
      const keys = signingKeys(env);
      checks.push(
        ...(await (
          await import("./doctor-database.js")
        ).databaseChecks(env.INSIGHT_DATABASE_URL, { auditKey: keys.source === "ephemeral" ? undefined : keys.auditCheckpoint })),
      );
    } else {
      checks.push(await auditCheck(env));
    }
    const queue = await (await import("./worker-doctor.js")).queueCheck(env);
    if (queue) checks.push(queue);
    checks.push({
      name: "LLM",
      ok: true,
      detail: env.ANTHROPIC_API_KEY ? `Anthropic, model ${env.INSIGHT_MODEL}` : "no ANTHROPIC_API_KEY: deterministic reports only",
    });
    checks.push({ name: "dry run", ok: true, detail: env.INSIGHT_DRY_RUN ? "on: writes are recorded, not performed" : "off" });
    checks.push(await evomapCheck(env));
    checks.push(await historyCheck(new FileHistoryStore(join(env.INSIGHT_DATA_DIR, "history"))));
    const servers = await serversCheck(env);
    checks.push(servers.check);
    if (servers.config) checks.push(...(await sourceChecks(servers.config)));
  }
  if (options.json) {
    cli.out(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
  } else {
    for (const c of checks) {
      cli.out(`${ok(c.ok)} ${c.name.padEnd(12)} ${c.detail}`);
      for (const w of c.warnings ?? []) cli.out(`   ⚠️  ${w}`);
    }
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** What `npm start` will do with this environment, and where jobs and shared state live. */
function mode(env: OperatorEnv, state: ReturnType<typeof credentialState>): Check {
  const queue =
    env.INSIGHT_QUEUE === "redis"
      ? `jobs on BullMQ at ${redactUrl(env.INSIGHT_REDIS_URL!)} (run 'insight worker' processes)`
      : "jobs in this process";
  const store = env.INSIGHT_DATABASE_URL
    ? `shared state in PostgreSQL at ${redactUrl(env.INSIGHT_DATABASE_URL)}`
    : `state in ${env.INSIGHT_DATA_DIR}`;
  if (state === "none")
    return {
      name: "mode",
      ok: false,
      detail: "no App credentials: 'npm start' refuses to start; 'npm run setup' serves Probot's registration wizard",
    };
  if (state === "partial")
    return { name: "mode", ok: false, detail: "some App credentials are missing: 'npm start' refuses to start (see GitHub App)" };
  return { name: "mode", ok: true, detail: `app${env.INSIGHT_DRY_RUN ? " (dry run)" : ""}: ${queue}; ${store}` };
}

/** A URL without its password, for display. */
export const redactUrl = displayUrl;

function credentials(env: OperatorEnv): Check {
  const missing = [
    !env.APP_ID && "APP_ID",
    !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH && "PRIVATE_KEY(_PATH)",
    !env.WEBHOOK_SECRET && "WEBHOOK_SECRET",
  ].filter(Boolean);
  return missing.length
    ? { name: "GitHub App", ok: false, detail: `missing ${missing.join(", ")}` }
    : { name: "GitHub App", ok: true, detail: `App ${env.APP_ID}${env.GHE_HOST ? ` on ${env.GHE_HOST}` : ""}` };
}

async function auditCheck(env: OperatorEnv): Promise<Check> {
  const path = env.auditPath;
  try {
    await mkdir(dirname(path), { recursive: true });
    await access(dirname(path), constants.W_OK);
  } catch (e) {
    return { name: "audit log", ok: false, detail: `${path}: directory not writable (${(e as Error).message})` };
  }
  const result = await verifyAuditFile(path).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? "absent" : e));
  if (result === "absent") return { name: "audit log", ok: true, detail: `${path} (new)` };
  if (result instanceof Error) return { name: "audit log", ok: false, detail: `${path}: ${result.message}` };
  return result.ok
    ? { name: "audit log", ok: true, detail: `${path}: ${result.entries} entries, chain intact` }
    : { name: "audit log", ok: false, detail: `${path}: ${result.problem!.message}` };
}

/** EvoMap: off, or the node, its reputation on the hub and the bundles waiting in the outbox. */
async function evomapCheck(env: OperatorEnv): Promise<Check> {
  if (!env.EVOMAP_ENABLED) return { name: "EvoMap", ok: true, detail: "off (EVOMAP_ENABLED): no capsule is published or looked up" };
  const identity = new NodeIdentityStore(env.EVOMAP_NODE_FILE ?? join(env.INSIGHT_DATA_DIR, "evomap-node.json"));
  // With a database, the outbox has its own line (database checks).
  const depth = env.INSIGHT_DATABASE_URL
    ? { waiting: 0, dead: 0 }
    : await new Outbox(join(env.INSIGHT_DATA_DIR, "outbox")).depth(Date.now());
  const queued =
    (depth.waiting ? `; ${depth.waiting} bundle${depth.waiting === 1 ? "" : "s"} waiting in the outbox` : "") +
    (depth.dead ? `; ${depth.dead} given up (outbox/dead/)` : "");
  let node;
  try {
    node = await identity.read();
  } catch (e) {
    return { name: "EvoMap", ok: false, detail: (e as Error).message };
  }
  if (!node)
    return {
      name: "EvoMap",
      ok: true,
      detail: `${env.EVOMAP_HUB_URL}: not registered yet (the first publish or lookup says hello)${queued}`,
    };
  const client = new A2AClient({ hubUrl: env.EVOMAP_HUB_URL, identity, timeoutMs: 10_000 });
  const rep = await client.reputation(node.node_id);
  return rep.ok
    ? { name: "EvoMap", ok: true, detail: `${env.EVOMAP_HUB_URL}: node ${node.node_id}, reputation ${rep.value}${queued}` }
    : {
        name: "EvoMap",
        ok: false,
        detail: `${env.EVOMAP_HUB_URL}: node ${node.node_id}, reputation unknown (${rep.error.message})${queued}`,
      };
}

async function serversCheck(env: OperatorEnv): Promise<{ check: Check; config?: McpServersConfig }> {
  if (!env.INSIGHT_MCP_CONFIG) {
    return { check: { name: "MCP servers", ok: true, detail: "none configured (INSIGHT_MCP_CONFIG): reports use the change alone" } };
  }
  try {
    const config = await loadSources(env.INSIGHT_MCP_CONFIG);
    const names = Object.keys(config.mcpServers);
    return {
      check: { name: "MCP servers", ok: true, detail: `${names.length} in ${env.INSIGHT_MCP_CONFIG}: ${names.join(", ")}` },
      config,
    };
  } catch (e) {
    return { check: { name: "MCP servers", ok: false, detail: e instanceof ConfigError ? e.problems.join("; ") : (e as Error).message } };
  }
}

/** One line per configured source: reachable, flavour detected, tools needed vs available, read-only mode. */
async function sourceChecks(config: McpServersConfig): Promise<Check[]> {
  const pool = new McpPool(config, { log: pino({ level: "silent" }), connectTimeoutMs: 10_000 });
  try {
    const results = await Promise.all(
      Object.entries(config.mcpServers).map(([name, server]) => inspectSource(pool, name, server, ADAPTERS)),
    );
    return results.map((r) => {
      const name = `  ${r.source}`;
      if (!r.reachable) return { name, ok: false, detail: `${r.adapter}: unreachable: ${r.problem}` };
      if (!r.flavour || r.problem)
        return { name, ok: false, detail: `${r.adapter} via ${r.server ?? "?"}: ${r.problem}`, warnings: r.warnings };
      const tools = r.missing.length ? `; optional tools missing: ${r.missing.join(", ")}` : "";
      return {
        name,
        ok: true,
        detail: `${r.adapter} via ${r.flavour} (${r.server}): ${r.toolsUsed.length - r.missing.length}/${r.toolsUsed.length} tools${tools}; ${r.writeTools.length ? "not read-only" : "read-only"}`,
        warnings: r.warnings,
      };
    });
  } finally {
    await pool.close();
  }
}

/** The repository memory: each indexed repository, and how far a first build has come. */
export async function historyCheck(store: HistoryStore): Promise<Check> {
  const repos = await store.list().catch((e: Error) => e);
  if (repos instanceof Error) return { name: "history", ok: false, detail: repos.message };
  if (!repos.length)
    return { name: "history", ok: true, detail: "no repository indexed yet: a repository's first PR or incident builds its index" };
  const line = (r: (typeof repos)[number]) => {
    const b = r.build;
    if (b?.state === "building")
      return `${r.repo} building: ${b.phase}, ${b.done}${b.total ? `/${b.total}` : ""} read since ${new Date(b.startedAt).toISOString()}`;
    if (b?.state === "failed") return `${r.repo} build failed: ${b.error ?? "unknown"}`;
    return `${r.repo}: ${r.changes} changes, ${r.incidents} incidents`;
  };
  return {
    name: "history",
    ok: repos.every((r) => r.build?.state !== "failed"),
    detail: `${repos.length} repositor${repos.length === 1 ? "y" : "ies"}: ${repos.map(line).join("; ")}`,
  };
}
