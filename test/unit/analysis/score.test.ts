import { describe, expect, it } from "@jest/globals";
import type { ClassifiedFile } from "../../../src/analysis/classify-change.js";
import type { ServiceProfile, TableProfile } from "../../../src/analysis/profile.js";
import { rising } from "../../../src/analysis/profile.js";
import { FACTORS, levelOf, scoreBlastRadius } from "../../../src/analysis/score-blast-radius.js";
import { readMigration } from "../../../src/analysis/migrations.js";

const file = (over: Partial<ClassifiedFile>): ClassifiedFile => ({
  path: "services/api/src/x.ts",
  status: "modified",
  additions: 10,
  deletions: 2,
  kind: "code",
  services: ["api"],
  firstLine: 1,
  ...over,
});
const profile = (over: Partial<ServiceProfile> = {}): ServiceProfile => ({
  service: "api",
  tier: "medium",
  alerts: [],
  dependents: [],
  dependencies: [],
  hasTraces: false,
  hasErrorMetric: false,
  ...over,
});
const run = (files: ClassifiedFile[], profiles: ServiceProfile[] = [profile()], tables: TableProfile[] = []) =>
  scoreBlastRadius({ files, profiles, tables, productionData: true }, { medium: 25, high: 50, critical: 75 });
const factor = (r: ReturnType<typeof run>, name: string) => r.factors.find((f) => f.name === name);

describe("blast radius factors", () => {
  it("scores production exposure from tier and traffic, citing the traffic signal", () => {
    const r = run([file({})], [profile({ tier: "critical", requestRate: { value: 250, id: "m:api:rate" } })]);
    expect(factor(r, "Production exposure")).toEqual({
      name: "Production exposure",
      points: 25,
      reason: "api is critical-tier and serves 250 req/s",
      evidence: ["m:api:rate"],
    });
  });

  it("scores an error budget already burning", () => {
    expect(factor(run([file({})], [profile({ errorRate: { value: 0.07, id: "e", rising: false } })]), "Error budget")).toMatchObject({
      points: 10,
      evidence: ["e"],
    });
    expect(factor(run([file({})], [profile({ errorRate: { value: 0.001, id: "e", rising: false } })]), "Error budget")).toBeUndefined();
  });

  it("counts callers that the change does not touch itself", () => {
    const r = run([file({})], [profile({ dependents: ["web", "checkout", "api"], topologyId: "t" }), profile({ service: "web" })]);
    expect(factor(r, "Dependents")).toMatchObject({ points: 4, reason: "checkout calls the touched services", evidence: ["t"] });
  });

  it("scores a locking migration on a hot table far above one on a small table", () => {
    const m = readMigration("db/V1__x.sql", ["CREATE INDEX idx ON orders (status);"]);
    const migrationFile = file({ kind: "migration", path: "db/V1__x.sql", migration: m });
    const hot = factor(
      run([migrationFile], [profile()], [{ table: "orders", rows: 5e7, bytes: 2e10, id: "pg:tables" }]),
      "Database migration",
    )!;
    const small = factor(
      run([migrationFile], [profile()], [{ table: "orders", rows: 1000, bytes: 1e5, id: "pg:tables" }]),
      "Database migration",
    )!;
    expect(hot.points).toBe(35);
    expect(small.points).toBe(15);
    expect(hot.evidence).toEqual(["pg:tables"]);
    expect(hot.files).toEqual(["db/V1__x.sql"]);
  });

  it("makes destructive migrations their own factor with a floor of high", () => {
    const m = readMigration("db/V2__x.sql", ["ALTER TABLE users DROP COLUMN fax;"]);
    const r = run([file({ kind: "migration", migration: m })]);
    expect(factor(r, "Destructive schema change")).toMatchObject({ points: 25, floor: "high" });
    expect(factor(r, "Destructive schema change")!.reason).toMatch(/drop column on users: irreversible/);
    expect(r.level).toBe("high");
    expect(r.floor).toEqual({ level: "high", by: ["Destructive schema change"] });
  });

  it("scores deployment changes that reduce capacity higher", () => {
    expect(factor(run([file({ kind: "kubernetes", manifest: ["replicas 3 → 1"] })]), "Deployment configuration")!.points).toBe(14);
    expect(factor(run([file({ kind: "kubernetes", manifest: ["replicas 1 → 3"] })]), "Deployment configuration")!.points).toBe(8);
  });

  it("scores major dependency bumps above minor ones", () => {
    expect(
      factor(run([file({ kind: "dependency", dependencies: [{ name: "express", from: "4", to: "5", major: true }] })]), "Dependencies")!
        .points,
    ).toBe(10);
    expect(
      factor(run([file({ kind: "dependency", dependencies: [{ name: "zod", from: "4.1", to: "4.6", major: false }] })]), "Dependencies")!
        .points,
    ).toBe(4);
  });

  it("scores payment code above auth code above security code", () => {
    expect(factor(run([file({ sensitive: ["payment"] })]), "Sensitive code path")!.points).toBe(12);
    expect(factor(run([file({ sensitive: ["auth"] })]), "Sensitive code path")!.points).toBe(10);
  });

  it("scores recent instability from alerts, failing pods and a rising error rate, capped", () => {
    const p = profile({
      alerts: [{ name: "HighErrorRate", id: "a" }],
      restarts: { value: 7, id: "k", failing: 1, recent: 7 },
      errorRate: { value: 0.1, id: "e", rising: true },
    });
    expect(factor(run([file({})], [p]), "Recent instability")).toMatchObject({ points: 16, evidence: ["a", "k", "e"] });
  });

  it("notices code without tests, and not code with tests", () => {
    expect(factor(run([file({})]), "No tests changed")).toBeDefined();
    expect(factor(run([file({}), file({ kind: "test", path: "x.test.ts" })]), "No tests changed")).toBeUndefined();
  });

  it("caps the score at 100 and maps it to levels by the thresholds", () => {
    expect(levelOf(24, { medium: 25, high: 50, critical: 75 })).toBe("low");
    expect(levelOf(75, { medium: 25, high: 50, critical: 75 })).toBe("critical");
    const everything = run(
      [
        file({ kind: "migration", migration: readMigration("x.sql", ["DROP TABLE orders;"]) }),
        file({ kind: "kubernetes", manifest: ["replicas 3 → 1"] }),
        file({ sensitive: ["payment"], additions: 2000 }),
      ],
      [
        profile({
          tier: "critical",
          requestRate: { value: 900, id: "r" },
          errorRate: { value: 0.2, id: "e", rising: true },
          alerts: [{ name: "A", id: "a" }],
        }),
      ],
      [{ table: "orders", rows: 9e7, id: "t" }],
    );
    expect(everything.score).toBe(100);
    expect(everything.level).toBe("critical");
  });

  it("is deterministic", () => {
    const input = [file({ sensitive: ["auth"] }), file({ kind: "config", path: "config/a.yml" })];
    expect(run(input)).toEqual(run(input));
    expect(FACTORS.length).toBe(16);
  });
});

describe("rising", () => {
  it("sees a step up at the end and ignores noise", () => {
    expect(rising([...Array(20).fill(0.01), ...Array(10).fill(0.1)])).toBe(true);
    expect(rising([0.01, 0.012, 0.011, 0.009, 0.01, 0.011, 0.01, 0.012])).toBe(false);
  });
});

describe("restarts", () => {
  it("counts only failing pods or restarts within the hour as instability", () => {
    const old = run([file({})], [profile({ restarts: { value: 1, id: "k", failing: 0, recent: 0 } })]);
    expect(factor(old, "Recent instability")).toBeUndefined();
    const fresh = run([file({})], [profile({ restarts: { value: 3, id: "k", failing: 0, recent: 3 } })]);
    expect(factor(fresh, "Recent instability")!.reason).toBe("api: 3 restarts within the hour");
  });
});
