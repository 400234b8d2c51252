import { readFile } from "node:fs/promises";
import picomatch from "picomatch";
import { z } from "zod";
import { ConfigError, formatIssues } from "./format-issues.js";

/**
 * An adapter's id (`insight.adapter`). The known ids are the registry's (signals/adapters/registry.ts,
 * `ADAPTER_KINDS`), checked by `parseMcpServers(value, source, kinds)`: this layer does not list them again.
 */
export type AdapterKind = string;

const repoGlob = z.string().regex(/^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/, { message: "must be an owner/repo glob such as acme/* or */*" });

/** Insight's own settings for one server, kept beside the Claude Desktop fields. */
const insightSettings = z
  .object({
    adapter: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: "an adapter id such as prometheus" })
      .describe("Which adapter speaks to this server (an id of signals/adapters/registry.ts)."),
    repositories: z
      .array(repoGlob)
      .min(1, { message: "name at least one owner/repo glob; a source no repository may use is useless" })
      .describe("Repositories allowed to read this source (owner/repo globs). Nothing is allowed by default."),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe("Timeout of each tool call."),
    concurrency: z.number().int().min(1).max(32).default(4).describe("Calls in flight at once on this server."),
  })
  .strict();

const stdioServer = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    insight: insightSettings,
  })
  .strict();

const httpServer = z
  .object({
    url: z.url(),
    headers: z.record(z.string(), z.string()).default({}),
    insight: insightSettings,
  })
  .strict();

export const mcpServersSchema = z
  .object({
    mcpServers: z.record(
      z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: "server names use letters, digits, _ . -" }),
      z.union([stdioServer, httpServer], { message: "a server has either command/args/env or url/headers, plus insight{}" }),
    ),
    insight: z
      .object({
        budgetMs: z.number().int().min(1000).max(600_000).default(45_000).describe("Overall budget of one collection."),
      })
      .strict()
      .default({ budgetMs: 45_000 }),
  })
  .strict();

export type McpServersConfig = z.infer<typeof mcpServersSchema>;
export type McpServerConfig = McpServersConfig["mcpServers"][string];

/**
 * Validates an `mcpServers` document; throws a ConfigError with each `field.path → problem`.
 * `kinds`: the adapter ids that exist (the registry's `ADAPTER_KINDS`); a server naming another is a problem.
 */
export function parseMcpServers(value: unknown, source = "MCP servers file", kinds?: readonly string[]): McpServersConfig {
  const parsed = mcpServersSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(source, formatIssues(parsed.error));
  const unknown = kinds ? Object.entries(parsed.data.mcpServers).filter(([, s]) => !kinds.includes(s.insight.adapter)) : [];
  if (unknown.length)
    throw new ConfigError(
      source,
      unknown.map(([name, s]) => `mcpServers.${name}.insight.adapter → no adapter "${s.insight.adapter}" (known: ${kinds!.join(", ")})`),
    );
  return parsed.data;
}

export async function loadMcpServers(path: string | undefined, kinds?: readonly string[]): Promise<McpServersConfig> {
  if (!path) return { mcpServers: {}, insight: { budgetMs: 45_000 } };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`MCP servers file ${path}`, [`(file) → ${(err as Error).message}`]);
  }
  return parseMcpServers(json, `MCP servers file ${path}`, kinds);
}

/** A glob over `owner/repo` (picomatch): `*` matches any run of characters except `/`, dot-names included; case-insensitive. */
export function matchRepoGlob(glob: string, fullName: string): boolean {
  return picomatch.isMatch(fullName, glob, { nocase: true, dot: true });
}

/** The sources (entries of the MCP servers file) a repository may read, by name — the only ones its analyses ever reach. */
export function sourcesForRepo(servers: McpServersConfig, fullName: string): Array<[string, McpServerConfig]> {
  return Object.entries(servers.mcpServers).filter(([, server]) =>
    server.insight.repositories.some((glob) => matchRepoGlob(glob, fullName)),
  );
}
