import { describe, expect, it } from "@jest/globals";
import { assessImpact } from "../../../src/analysis/assess-impact.js";
import { availability } from "../../../src/analysis/watch-list.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { checkConclusion, renderImpactCheck, renderImpactComment } from "../../../src/render/impact.js";
import type { CollectionResult, Signal } from "../../../src/signals/types.js";

/** Issue #17, PR impact: each point read from the rendered comment. */

const config = repoConfigSchema.parse({
  services: {
    api: {
      paths: ["services/api/**", "db/migrations/**"],
      tier: "medium",
      prometheus: { labels: { service: "api" } },
      kubernetes: { namespace: "shop", labels: { app: "api" } },
      skywalking: { service: "api" },
      logs: { index: "logs-*" },
    },
  },
});

const sig = (s: Partial<Signal> & Pick<Signal, "id" | "name">): Signal => ({
  source: "metrics",
  adapter: "prometheus",
  kind: "metric",
  query: "q",
  service: "api",
  ...s,
});

function production(signals: Signal[]): CollectionResult {
  return {
    window: { from: 0, to: 3_600_000 },
    elapsedMs: 5,
    signals,
    sources: [{ source: "metrics", adapter: "prometheus", provides: ["metrics"], status: "ok", notes: [], elapsedMs: 5, signals }],
  };
}

const tables = (rows: number) =>
  sig({
    id: "db:pg.tables",
    name: "pg.tables",
    adapter: "postgres",
    source: "db",
    kind: "state",
    service: undefined,
    data: { tables: [{ table: "orders", rows, bytes: 1e6, writes: 10 }] },
  });

function change(files: Array<{ path: string; lines: string[] }>) {
  return {
    ref: "acme/shop#7",
    base: { ref: "main", sha: "0".repeat(40) },
    head: { ref: "f", sha: "abcdef1".padEnd(40, "0") },
    changedFiles: files.length,
    filesNotListed: 0,
    files: files.map((f) => ({
      path: f.path,
      status: "added" as const,
      additions: f.lines.length,
      deletions: 0,
      patch: `@@ -0,0 +1,${f.lines.length} @@\n${f.lines.map((l) => `+${l}`).join("\n")}`,
    })),
  };
}

const comment = (files: Array<{ path: string; lines: string[] }>, signals: Signal[] = [tables(1000)], cfg = config) => {
  const a = assessImpact({ changes: change(files), config: cfg, collection: production(signals) });
  return { a, md: renderImpactComment(a, { elapsedMs: 10, config: cfg }) };
};

/** The factor table's row for `name`. */
const row = (md: string, name: string) => md.split("\n").find((l) => l.startsWith(`| ${name}`));

describe("PR impact: reversibility of migrations", () => {
  it("scores a DROP COLUMN as a destructive schema change with a floor of high, not folded away", () => {
    const { a, md } = comment([
      { path: "db/migrations/V8__drop_fax.sql", lines: ["ALTER TABLE orders DROP COLUMN fax;", "-- rollback: none"] },
    ]);
    expect(a.level).toBe("high");
    expect(md).toMatch(
      /^## 🟠 Blast radius: \*\*high\*\* \(50\/100, raised to the high floor by Destructive schema change \(points alone: \d+\)\)/,
    );
    expect(row(md, "Destructive schema change (floor: high)")).toMatch(/drop column on orders: irreversible/);
    expect(md).not.toContain("<summary>Details</summary>");
  });

  it("scores DROP TABLE, TRUNCATE and a narrowing type change the same way", () => {
    for (const sql of ["DROP TABLE orders;", "TRUNCATE orders;", "ALTER TABLE orders ALTER COLUMN note TYPE varchar(20);"]) {
      const { a, md } = comment([{ path: "db/migrations/V9__x.sql", lines: [sql, "-- rollback: restore from backup"] }]);
      expect(a.level).toBe("high");
      expect(row(md, "Destructive schema change")).toBeDefined();
    }
  });

  it("scores ADD COLUMN NOT NULL without a default on a populated table, with its row count, and not on an empty one", () => {
    const lines = ["ALTER TABLE orders ADD COLUMN status text NOT NULL;", "-- rollback: ALTER TABLE orders DROP COLUMN status;"];
    const { a, md } = comment([{ path: "db/migrations/V10__status.sql", lines }], [tables(48_000_000)]);
    expect(a.level).not.toBe("low");
    expect(row(md, "NOT NULL column without a default (floor: high)")).toMatch(/orders \(48,000,000 rows\): it fails outright/);
    expect(
      row(comment([{ path: "db/migrations/V10__status.sql", lines }], [tables(0)]).md, "NOT NULL column without a default"),
    ).toBeUndefined();
    expect(
      row(
        comment([
          {
            path: "db/migrations/V10__status.sql",
            lines: ["ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';", "-- rollback: x"],
          },
        ]).md,
        "NOT NULL column without a default",
      ),
    ).toBeUndefined();
  });

  it("scores a data backfill", () => {
    const { a, md } = comment([
      {
        path: "db/migrations/V11__backfill.sql",
        lines: ["UPDATE orders SET status = 'paid' WHERE paid_at IS NOT NULL;", "-- rollback: UPDATE orders SET status = NULL;"],
      },
    ]);
    expect(a.level).toBe("high");
    expect(row(md, "Data backfill (floor: high)")).toMatch(/rewrites existing rows \(UPDATE orders SET/);
  });

  it("scores a migration with no down step, and not when the change carries its undo file", () => {
    const up = { path: "db/migrations/V12__note.sql", lines: ["ALTER TABLE orders ADD COLUMN note text;"] };
    const { a, md } = comment([up]);
    expect(a.level).toBe("high");
    expect(row(md, "No down migration (floor: high)")).toMatch(/db\/migrations\/V12__note\.sql has no down \/ rollback step/);
    const withUndo = comment([up, { path: "db/migrations/U12__note.sql", lines: ["ALTER TABLE orders DROP COLUMN note;"] }]).md;
    expect(row(withUndo, "No down migration")).toBeUndefined();
    expect(
      row(
        comment([
          { path: "migrations/20240101_note.up.sql", lines: up.lines },
          { path: "migrations/20240101_note.down.sql", lines: ["ALTER TABLE orders DROP COLUMN note;"] },
        ]).md,
        "No down migration",
      ),
    ).toBeUndefined();
  });

  it("says when the score is capped", () => {
    const { a, md } = comment(
      [
        {
          path: "db/migrations/V13__x.sql",
          lines: ["ALTER TABLE orders DROP COLUMN a;", "UPDATE orders SET b = 1;", "ALTER TABLE orders ADD COLUMN c int NOT NULL;"],
        },
        { path: "services/api/src/payment/refund.ts", lines: Array.from({ length: 1200 }, (_, i) => `const x${i} = ${i};`) },
      ],
      [tables(48_000_000), sig({ id: "metrics:api:http.request_rate", name: "http.request_rate", value: 400 })],
      repoConfigSchema.parse({ services: { api: { ...config.services.api, tier: "critical" } } }),
    );
    expect(a.raw).toBeGreaterThan(100);
    expect(md).toContain(`(100/100, capped: the factors sum to ${a.raw})`);
  });
});

describe("PR impact: watch list", () => {
  const migration = { path: "db/migrations/V14__idx.sql", lines: ["CREATE INDEX CONCURRENTLY idx ON orders (status);"] };
  const incident = [
    tables(1000),
    sig({
      id: "metrics:api:http.error_rate",
      name: "http.error_rate",
      value: 0.0904,
      data: { baseline: { value: 0.004, basis: "median of the same hour over the previous 7 days (7 days)" } },
    }),
    sig({
      id: "metrics:api:http.latency_p95",
      name: "http.latency_p95",
      value: 2.4,
      data: { baseline: { value: 0.18, basis: "median of the same hour over the previous 7 days (7 days)" } },
    }),
    sig({ id: "metrics:api:http.request_rate", name: "http.request_rate", value: 220 }),
    sig({ id: "apm:api:sla", name: "apm.sla", adapter: "skywalking", value: 99.996 }),
  ];
  const { md } = comment([migration], incident);
  const watch = md.slice(
    md.indexOf("What to watch after the deploy"),
    md.indexOf("</details>", md.indexOf("What to watch after the deploy")),
  );
  const watchRows = watch.split("\n").filter((l) => l.startsWith("| api |"));

  it("takes thresholds from the baseline of normal, says which, and never from the live value", () => {
    const errors = watchRows.find((l) => l.includes("| error rate |"))!;
    expect(errors).toContain("| 0.004 | > 0.014");
    expect(errors).toContain("median of the same hour over the previous 7 days");
    expect(watch).not.toContain("0.181");
    expect(watchRows.find((l) => l.includes("| p95 latency |"))).toContain("> 0.27");
    expect(watch).not.toMatch(/> 3\.6\b/);
  });

  it("without a baseline compares with last week in the query itself, never '1.5× today' or a blank", () => {
    const traffic = watchRows.find((l) => l.includes("| traffic drop |"))!;
    expect(traffic).toContain("offset 1w");
    expect(traffic).toContain("no baseline of normal was read");
    expect(watch).not.toMatch(/today/);
  });

  it("gives every entry a runnable query in its source's language", () => {
    const queries = watchRows.map((l) => /\| `([^`]+)` \|/.exec(l)?.[1] ?? "");
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const q of queries)
      expect(q).toMatch(/^(kubectl get pods |swctl metrics exec |SELECT |GET logs-\*\/_count\?q=|sum\(|histogram_quantile\()/);
    expect(watch).toContain(
      "kubectl get pods -n shop -l app=api -o custom-columns=POD:.metadata.name,RESTARTS:.status.containerStatuses[*].restartCount",
    );
    expect(watch).not.toContain("pods in shop");
  });

  it("never rounds an availability up to a perfect-looking 100", () => {
    expect(availability(99.996)).toBe("99.99");
    expect(availability(99.5)).toBe("99.50");
    expect(availability(100)).toBe("100");
    expect(watch).not.toMatch(/\| 100 \|/);
    const budget = comment(
      [migration],
      [
        sig({ id: "apm:api:sla", name: "apm.sla", adapter: "skywalking", value: 98.996 }),
        sig({ id: "e", name: "http.error_rate", value: 0.09 }),
      ],
    ).md;
    expect(row(budget, "Error budget")).toContain("SLA 98.99%");
  });
});

describe("PR impact: check run conclusion", () => {
  it("matches the risk by default: neutral below critical, action required at critical", () => {
    expect(checkConclusion("low", "auto")).toBe("neutral");
    expect(checkConclusion("high", "auto")).toBe("neutral");
    expect(checkConclusion("critical", "auto")).toBe("action_required");
    expect(checkConclusion("medium", "medium")).toBe("failure");
    expect(checkConclusion("critical", "never")).toBe("neutral");
    const { a } = comment(
      [{ path: "db/migrations/V15__x.sql", lines: ["DROP TABLE orders;", "UPDATE orders SET a = 1;"] }],
      [tables(48_000_000)],
      repoConfigSchema.parse({ services: { api: { ...config.services.api, tier: "critical" } } }),
    );
    const check = renderImpactCheck(a, config);
    expect(a.level).toBe("critical");
    expect(check.conclusion).toBe("action_required");
    expect(check.output.summary).toMatch(/^\*\*critical\*\*/);
  });
});
