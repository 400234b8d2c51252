import { parseArgs } from "node:util";
import { auditVerify } from "./audit-verify.js";
import { doctor } from "./doctor.js";
import { err, out } from "./output.js";
import { signals } from "./signals.js";

const USAGE = `Usage: insight <command> [options]

Commands:
  doctor [--json]                 check configuration, credentials, audit log and sources
  signals [--service a,b] [--since 1h] [--source name] [--json] [--config .github/insight.yml] [--mcp-config file]
                                  what Insight sees of the configured sources now
  audit verify [--file <path>]    verify the audit log's hash chain; exit 1 on tampering
  help                            show this text`;

/** Entry of the `insight` CLI: dispatches to one command module and exits with its code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "doctor": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
      return doctor({ json: values.json });
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
      return signals({ ...values, mcpConfig: values["mcp-config"] });
    }
    case "audit": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { file: { type: "string" } } });
      if (positionals[0] !== "verify") break;
      return auditVerify({ file: values.file });
    }
    case undefined:
    case "help":
    case "--help":
      out(USAGE);
      return 0;
  }
  err(`insight: unknown command '${argv.join(" ")}'\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`insight: ${(e as Error).message}`);
    process.exit(1);
  },
);
