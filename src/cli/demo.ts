import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { demoIncidentScenario, demoScenario } from "../../fixtures/demo/scenario.js";
import { GIT_TIMEOUT_MS } from "../changes/local-git.js";
import { runLocalImpact } from "./impact.js";
import { runLocalRca } from "./rca.js";
import type { SourceResult } from "../signals/types.js";
import type { Cli } from "./output.js";

const run = promisify(execFile);
const HERE = fileURLToPath(import.meta.url);
const ROOT = join(dirname(HERE), "..", "..");
// Compiled (dist/src/cli/demo.js): the fixture servers were compiled beside it into dist/fixtures.
const FIXTURE_SERVER = HERE.endsWith(".js")
  ? [join(ROOT, "fixtures/mcp/server.js")]
  : ["--import", "tsx", join(ROOT, "fixtures/mcp/server.ts")];

const CONFIG = `services:
  api:
    paths: ["services/api/**", "db/migrations/**", "k8s/api/**"]
    tier: critical
    kubernetes: { namespace: shop, labels: { app: api } }
    prometheus: { labels: { service: api } }
    skywalking: { service: api }
    postgres: { database: shop, tables: [orders] }
  payments:
    paths: ["services/payments/**"]
    tier: high
    kubernetes: { namespace: shop, labels: { app: payments } }
    prometheus: { labels: { service: payments } }
  web:
    paths: ["services/web/**"]
    prometheus: { labels: { service: web } }
`;

const deployment = (replicas: number, memory: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/shop/api:1.42.0
          resources:
            limits:
              memory: ${memory}
          readinessProbe:
            httpGet: { path: /health, port: 8080 }
`;

const BASE: Record<string, string> = {
  ".github/insight.yml": CONFIG,
  "services/api/package.json": `{\n  "name": "api",\n  "dependencies": {\n    "express": "^4.19.2",\n    "pg": "^8.11.0"\n  }\n}\n`,
  "services/api/src/orders.ts": `import { Router } from "express";\nexport const router = Router();\nrouter.get("/orders/:id", getOrder);\n`,
  "services/payments/src/refund.ts": `import { Router } from "express";\nexport const router = Router();\nrouter.post("/refunds", refund);\n`,
  "services/web/src/app.ts": `export const app = "web";\n`,
  "db/migrations/V6__orders_customer_index.sql": `CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);\n`,
  "k8s/api/deployment.yaml": deployment(3, "512Mi"),
};

/** The risky change: a locking migration on a hot table, less capacity, a major bump, new payment route. */
const CHANGE: Record<string, string> = {
  "db/migrations/V7__orders_status.sql": `ALTER TABLE orders ADD COLUMN status text NOT NULL;\nCREATE INDEX idx_orders_status ON orders (status);\n`,
  "services/api/src/orders.ts": `import { Router } from "express";\nexport const router = Router();\nrouter.get("/orders/:id", getOrder);\nrouter.patch("/orders/:id/status", setStatus);\n`,
  "services/api/package.json": `{\n  "name": "api",\n  "dependencies": {\n    "express": "^5.0.1",\n    "pg": "^8.11.0"\n  }\n}\n`,
  "services/payments/src/refund.ts": `import { Router } from "express";\nexport const router = Router();\nrouter.post("/refunds", refund);\nrouter.post("/refunds/:id/retry", retryRefund);\n`,
  "k8s/api/deployment.yaml": deployment(2, "384Mi"),
};

async function writeAll(dir: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

async function git(dir: string, ...args: string[]) {
  await gitAt(dir, undefined, ...args);
}

/** git with the commit dated `at` (for the merge that lands 20 minutes before the incident). */
async function gitAt(dir: string, at: Date | undefined, ...args: string[]) {
  const dates = at ? { GIT_AUTHOR_DATE: at.toISOString(), GIT_COMMITTER_DATE: at.toISOString() } : {};
  await run(
    "git",
    [
      "-C",
      dir,
      "-c",
      "user.name=Demo",
      "-c",
      "user.email=demo@example.invalid",
      "-c",
      "commit.gpgsign=false",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    { env: { ...process.env, ...dates }, timeout: GIT_TIMEOUT_MS },
  );
}

/** Four fixture MCP servers over stdio, playing the production described in `scenarioFile`. */
async function writeMcpConfig(dir: string, scenarioFile: string): Promise<string> {
  const server = (flavour: string, adapter: string) => ({
    command: process.execPath,
    args: [...FIXTURE_SERVER, flavour, join(dir, scenarioFile)],
    cwd: ROOT,
    insight: { adapter, repositories: ["*/*"], timeoutMs: 20_000 },
  });
  const file = join(dir, `mcp-${scenarioFile}`);
  await writeFile(
    file,
    JSON.stringify(
      {
        mcpServers: {
          metrics: server("mcp-prometheus", "prometheus"),
          postgres: server("dbhub", "postgres"),
          kubernetes: server("kubernetes-mcp-server", "kubernetes"),
          apm: server("skywalking-mcp", "skywalking"),
        },
        insight: { budgetMs: 60_000 },
      },
      null,
      2,
    ),
  );
  return file;
}

/**
 * Progress while the fixture servers start and answer (about ten seconds on a busy machine), on
 * stderr so the report on stdout stays clean: one line when they start, one per source as it answers.
 */
function progress(cli: Cli, started: number): (s: SourceResult) => void {
  cli.err("Starting four fixture MCP servers (Prometheus, PostgreSQL, Kubernetes, SkyWalking) and reading them…");
  return (s) =>
    cli.err(
      `  ${s.status === "ok" ? "✓" : "✗"} ${s.source}${s.flavour ? ` (${s.flavour})` : ""} ${s.status === "ok" ? "answered" : s.status} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
}

/**
 * `npm run demo` / `insight demo`: a sample monorepo with a risky change, fixture MCP servers
 * (started over stdio) playing a small production, and the PR-impact report — no GitHub account,
 * no API key, nothing downloaded.
 */
export async function demo(options: { keep?: boolean }, cli: Cli): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "insight-demo-"));
  try {
    const repo = join(dir, "shop");
    await writeAll(repo, BASE);
    await git(repo, "init", "-q");
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    await git(repo, "add", "-A");
    await gitAt(repo, daysAgo(3), "commit", "-q", "-m", "Shop: api, payments, web");
    await git(repo, "checkout", "-q", "-b", "feature/order-status");
    await writeAll(repo, CHANGE);
    await git(repo, "add", "-A");
    await gitAt(repo, daysAgo(1), "commit", "-q", "-m", "Orders get a status");
    await writeFile(join(dir, "production.json"), JSON.stringify(demoScenario));
    const mcpConfig = await writeMcpConfig(dir, "production.json");
    cli.out("DevOps Insight demo: the blast radius of branch feature/order-status in a sample shop monorepo,");
    cli.out("with four fixture MCP servers (Prometheus, PostgreSQL, Kubernetes, SkyWalking) playing production.");
    cli.out(
      options.keep
        ? `(sample repository: ${repo} — kept; delete it when done)\n`
        : `(sample repository: ${repo} — deleted when the demo ends; keep it with \`npm run demo -- --keep\` or \`insight demo --keep\`)\n`,
    );
    const { markdown } = await runLocalImpact({
      repo,
      base: "main",
      head: "feature/order-status",
      mcpConfig,
      onSource: progress(cli, Date.now()),
      env: cli.env,
    });
    cli.out(markdown);

    // The change is merged anyway; twelve minutes later the api slows down. The on-call asks Insight.
    await git(repo, "checkout", "-q", "main");
    await gitAt(
      repo,
      new Date(Date.now() - 20 * 60_000),
      "merge",
      "-q",
      "--no-ff",
      "-m",
      "Merge pull request #7 from acme/feature/order-status",
      "-m",
      "Orders get a status",
      "feature/order-status",
    );
    await writeFile(join(dir, "incident.json"), JSON.stringify(demoIncidentScenario));
    cli.out(
      "\n\n---\n\nDevOps Insight demo, part 2: the change was merged 20 minutes ago and the api is slow. `insight rca --since 1h`:\n",
    );
    const rca = await runLocalRca({
      since: "1h",
      repo,
      mcpConfig: await writeMcpConfig(dir, "incident.json"),
      onSource: progress(cli, Date.now()),
      env: cli.env,
    });
    cli.out("text" in rca ? rca.text : rca.error);
    return 0;
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}
