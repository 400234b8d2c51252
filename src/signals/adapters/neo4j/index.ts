import { replyOf } from "../../tool-output.js";
import { cypherAnswer, type Records } from "./schema.js";
import type { CatalogSignal } from "../../types.js";
import { num } from "../shared.js";
import { hasTools, type Adapter, type Flavour } from "../types.js";
import { SIGNAL } from "../../catalog.js";

const STATEMENTS = {
  databases: "SHOW DATABASES YIELD name, currentStatus, requestedStatus, role RETURN name, currentStatus, requestedStatus, role",
  transactions:
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery, elapsedTime, status WHERE elapsedTime.milliseconds > 30000 RETURN transactionId, left(currentQuery, 300) AS query, elapsedTime.milliseconds AS elapsedMs, status",
} as const;

const FLAVOURS: Array<Flavour & { tool: string }> = [
  {
    id: "mcp-neo4j-cypher",
    detect: (t) => hasTools(t, "read_neo4j_cypher"),
    tools: ["read_neo4j_cypher"],
    required: ["read_neo4j_cypher"],
    tool: "read_neo4j_cypher",
  },
  { id: "neo4j/mcp", detect: (t) => hasTools(t, "read-cypher"), tools: ["read-cypher"], required: ["read-cypher"], tool: "read-cypher" },
];

/** Neo4j: database status and transactions running longer than 30 s, through fixed read statements. */
export const neo4jAdapter: Adapter = {
  id: "neo4j",
  provides: ["graph"],
  flavours: FLAVOURS,
  async collect(ctx) {
    const { tool } = ctx.flavour as (typeof FLAVOURS)[number];
    const run = async (query: string): Promise<Records> => {
      const answer = replyOf(await ctx.client.call(tool, { query }), tool, cypherAnswer);
      return (Array.isArray(answer) ? answer : (answer.records ?? [])).slice(0, ctx.limits.rows);
    };
    const usedBy = ctx.services.filter((s) => s.config.neo4j).map((s) => s.name);
    const service = usedBy.length === 1 ? usedBy[0] : undefined;
    const [dbs, txs] = await Promise.all([
      ctx.attempt("databases", () => run(STATEMENTS.databases)),
      ctx.attempt("long transactions", () => run(STATEMENTS.transactions)),
    ]);
    const signals: CatalogSignal[] = [];
    const base = { source: ctx.source, adapter: "neo4j" as const, service };
    if (dbs) {
      const down = dbs.filter((d) => d.currentStatus !== d.requestedStatus || d.currentStatus !== "online");
      signals.push({
        ...base,
        id: `${ctx.source}:neo4j:databases`,
        kind: "state",
        name: SIGNAL.neo4jDatabases,
        value: down.length,
        query: STATEMENTS.databases,
        data: { databases: dbs, notOnline: down.map((d) => d.name), usedBy },
      });
    }
    if (txs) {
      signals.push({
        ...base,
        id: `${ctx.source}:neo4j:long-transactions`,
        kind: "event",
        name: SIGNAL.neo4jLongTransactions,
        value: txs.length,
        query: STATEMENTS.transactions,
        data: { transactions: txs.map((t) => ({ ...t, elapsedMs: num(t.elapsedMs) })), usedBy },
      });
    }
    return signals;
  },
};
