import type { SourceClient } from "../../source-client.js";
import { replyOf, ToolFailure } from "../../tool-output.js";
import { dbhubAnswer, rows } from "./schema.js";
import { hasTools, type Flavour } from "../types.js";
import { parsePythonLiteral } from "./python-literal.js";

export type Row = Record<string, unknown>;
export type SqlRunner = (client: SourceClient, sql: string) => Promise<Row[]>;

/**
 * The three PostgreSQL servers and how each answers a query:
 * dbhub `{success, data:{rows}}`, server-postgres a JSON array of rows, crystaldba Python repr.
 */
export const FLAVOURS: Array<Flavour & { run: SqlRunner }> = [
  {
    id: "postgres-mcp (crystaldba)",
    detect: (tools) =>
      hasTools(tools, "execute_sql") &&
      (hasTools(tools, "analyze_db_health") || hasTools(tools, "get_top_queries") || hasTools(tools, "list_schemas")),
    tools: ["execute_sql"],
    required: ["execute_sql"],
    run: async (client, sql) => {
      const text = (await client.call("execute_sql", { sql })).texts.join("\n").trim();
      if (text === "" || /^no results/i.test(text)) return [];
      const value = parsePythonLiteral(text);
      if (!Array.isArray(value)) throw new ToolFailure(`execute_sql answered ${text.slice(0, 80)}`, "execute_sql");
      return value as Row[];
    },
  },
  {
    id: "dbhub",
    detect: (tools) => hasTools(tools, "execute_sql"),
    tools: ["execute_sql"],
    required: ["execute_sql"],
    run: async (client, sql) => {
      const answer = replyOf(await client.call("execute_sql", { sql }), "execute_sql", dbhubAnswer);
      if (answer.success === false) throw new ToolFailure(answer.error ?? "execute_sql failed", "execute_sql");
      return answer.data?.rows ?? [];
    },
  },
  {
    id: "server-postgres",
    detect: (tools) => hasTools(tools, "query"),
    tools: ["query"],
    required: ["query"],
    run: async (client, sql) => {
      return replyOf(await client.call("query", { sql }), "query", rows);
    },
  },
];
