import { parseArgs } from "node:util";
import { applyDotEnv } from "../config/dotenv.js";
import { type Cli, type CliIo, cliOf, processIo } from "./output.js";

const USAGE = `Usage: insight <command> [options]

Commands:
  demo [--keep]                   the PR-impact report of a sample repo against fixture production (no account, no key)
  doctor [--json]                 check configuration, credentials, audit log and sources
  worker [--port n] [--concurrency n]
                                  run jobs from the Redis queue (INSIGHT_QUEUE=redis); --port serves /health, /metrics
  impact --repo <path> --base <ref> [--head <ref>] [--json] [--config file] [--mcp-config file]
                                  blast radius of a local change, as the PR comment would say it
  rca [--since 2h] [--until <time>] [--service a,b] [--repo <path>] [--json] [--config file] [--mcp-config file]
                                  root-cause analysis over the configured sources and a local git history
  health [--since 6h] [--service a,b] [--repo <path>] [--json] [--config file] [--mcp-config file]
                                  the health report of the configured services now: trends, states, monitoring gaps
  ci --log <file> [--files a,b | --diff <file>] [--name <check>] [--base-result success|failure] [--json]
                                  a failed CI job's log as the PR's CI section would read it: errors, the change's files named
  history --repo <path> [--json] [--max-commits 5000] [--window-hours 72] [--top 15]
                                  the change record of a local clone's git history: riskiest files, changes followed by reverts
  signals [--service a,b] [--since 1h] [--source name] [--json] [--config .github/insight.yml] [--mcp-config file]
                                  what Insight sees of the configured sources now
  audit verify [--file <path>] [--expect-head <seq:hash>]
                                  verify the audit log's hash chain and signed checkpoints, and that it still
                                  holds the head /health showed; exit 1 on tampering (reads PostgreSQL when
                                  INSIGHT_DATABASE_URL is set, unless --file is given)
  migrate [--status]              apply PostgreSQL migrations to INSIGHT_DATABASE_URL (safe from several
                                  replicas at once); --status lists applied and pending ones
  capsule build --input <file>    the Gene + Capsule + EvolutionEvent of a fix, as JSON with asset ids
  capsule validate <file>         check a bundle against the EvoMap hub's gates and recompute its asset ids
  help                            show this text`;

/** One command's entries of USAGE (each with the indented lines that continue it), or undefined. */
export function commandUsage(command: string): string | undefined {
  const lines = USAGE.split("\n");
  const entries: string[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith(`  ${command} `) && line !== `  ${command}`) return;
    let end = i + 1;
    while (end < lines.length && /^ {4,}\S/.test(lines[end]!)) end++;
    entries.push(
      `insight ${lines
        .slice(i, end)
        .map((l) => l.trim())
        .join("\n    ")}`,
    );
  });
  return entries.length ? `Usage:\n  ${entries.join("\n  ")}` : undefined;
}

/**
 * Entry of the `insight` CLI, callable in-process: reads `.env` (from `io.cwd` into `io.env`) as the
 * server does, dispatches to one command module (imported only when used, so `--help` stays fast)
 * and resolves to the exit code. An unexpected error is printed as `insight: <message>`, code 1.
 * `bin/insight.js` runs it with the process's I/O and exits with the code.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const cli = cliOf(io);
  try {
    return await dispatch(argv, cli);
  } catch (e) {
    cli.err(`insight: ${(e as Error).message}`);
    return 1;
  }
}

async function dispatch(argv: string[], cli: Cli): Promise<number> {
  const [command, ...rest] = argv;
  if (command && command !== "help" && command !== "--help" && (rest.includes("--help") || rest.includes("-h"))) {
    const usage = commandUsage(command);
    if (usage) {
      cli.out(usage);
      return 0;
    }
  }
  const dotEnv = command !== undefined && command !== "help" && command !== "--help" ? applyDotEnv(cli.env, cli.cwd) : undefined;
  switch (command) {
    case "demo": {
      const { values } = parseArgs({ args: rest, options: { keep: { type: "boolean" } } });
      return (await import("./demo.js")).demo({ keep: values.keep }, cli);
    }
    case "doctor": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
      return (await import("./doctor.js")).doctor({ json: values.json, dotEnv }, cli);
    }
    case "worker": {
      const { values } = parseArgs({ args: rest, options: { port: { type: "string" }, concurrency: { type: "string" } } });
      const num = (v: string | undefined, name: string) => {
        if (v !== undefined && !/^\d+$/.test(v)) throw new Error(`worker: --${name} must be a whole number`);
        return v === undefined ? undefined : Number(v);
      };
      return (await import("./worker.js")).worker(
        { port: num(values.port, "port"), concurrency: num(values.concurrency, "concurrency") },
        cli,
      );
    }
    case "impact": {
      const { values } = parseArgs({
        args: rest,
        options: {
          repo: { type: "string", default: "." },
          base: { type: "string" },
          head: { type: "string" },
          json: { type: "boolean" },
          config: { type: "string" },
          "mcp-config": { type: "string" },
        },
      });
      if (!values.base) {
        cli.err("insight impact: --base <ref> is required (the branch or commit the change is compared with)");
        return 2;
      }
      return (await import("./impact.js")).impact(
        {
          repo: values.repo!,
          base: values.base,
          head: values.head,
          json: values.json,
          config: values.config,
          mcpConfig: values["mcp-config"],
        },
        cli,
      );
    }
    case "rca": {
      const { values } = parseArgs({
        args: rest,
        options: {
          since: { type: "string" },
          until: { type: "string" },
          service: { type: "string", multiple: true },
          repo: { type: "string" },
          json: { type: "boolean" },
          config: { type: "string" },
          "mcp-config": { type: "string" },
        },
      });
      return (await import("./rca.js")).rca({ ...values, mcpConfig: values["mcp-config"] }, cli);
    }
    case "health": {
      const { values } = parseArgs({
        args: rest,
        options: {
          since: { type: "string" },
          service: { type: "string", multiple: true },
          repo: { type: "string" },
          json: { type: "boolean" },
          config: { type: "string" },
          "mcp-config": { type: "string" },
        },
      });
      return (await import("./health.js")).health({ ...values, mcpConfig: values["mcp-config"] }, cli);
    }
    case "ci": {
      const { values } = parseArgs({
        args: rest,
        options: {
          log: { type: "string" },
          files: { type: "string", multiple: true },
          diff: { type: "string" },
          name: { type: "string" },
          "base-result": { type: "string" },
          json: { type: "boolean" },
        },
      });
      if (!values.log) {
        cli.err("insight ci: --log <file> is required (the failed job's log)");
        return 2;
      }
      return (await import("./ci.js")).ci(
        {
          log: values.log,
          files: values.files,
          diff: values.diff,
          name: values.name,
          baseResult: values["base-result"],
          json: values.json,
        },
        cli,
      );
    }
    case "history": {
      const { values } = parseArgs({
        args: rest,
        options: {
          repo: { type: "string", default: "." },
          json: { type: "boolean" },
          config: { type: "string" },
          "max-commits": { type: "string" },
          "window-hours": { type: "string" },
          top: { type: "string" },
        },
      });
      const num = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${name} must be a positive whole number, not "${v}"`);
        return Number(v);
      };
      return (await import("./history.js")).history(
        {
          repo: values.repo!,
          json: values.json,
          config: values.config,
          maxCommits: num("max-commits", values["max-commits"]),
          windowHours: num("window-hours", values["window-hours"]),
          top: num("top", values.top),
        },
        cli,
      );
    }
    case "signals": {
      const { values } = parseArgs({
        args: rest,
        options: {
          service: { type: "string", multiple: true },
          source: { type: "string", multiple: true },
          since: { type: "string" },
          json: { type: "boolean" },
          config: { type: "string" },
          "mcp-config": { type: "string" },
        },
      });
      return (await import("./signals.js")).signals({ ...values, mcpConfig: values["mcp-config"] }, cli);
    }
    case "audit": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { file: { type: "string" }, "expect-head": { type: "string" } },
      });
      if (positionals[0] !== "verify") break;
      return (await import("./audit-verify.js")).auditVerify({ file: values.file, expectHead: values["expect-head"] }, cli);
    }
    case "migrate": {
      const { values } = parseArgs({ args: rest, options: { status: { type: "boolean" } } });
      return (await import("./migrate.js")).migrate({ status: values.status }, cli);
    }
    case "capsule": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { input: { type: "string" } } });
      if (positionals[0] === "build" && values.input) return (await import("./capsule.js")).capsuleBuild({ input: values.input }, cli);
      if (positionals[0] === "validate" && positionals[1]) return (await import("./capsule.js")).capsuleValidate(positionals[1], cli);
      cli.err("insight capsule: use `capsule build --input <file>` or `capsule validate <file>`");
      return 2;
    }
    case undefined:
    case "help":
    case "--help":
      cli.out(USAGE);
      return 0;
  }
  cli.err(`insight: unknown command '${argv.join(" ")}'\n\n${USAGE}`);
  return 2;
}
