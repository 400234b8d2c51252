import type { RiskLevel } from "../config/repo-config.js";
import { addedLines, type ClassifiedFile } from "./classify-change.js";
import type { Factor, ScoreInput } from "./score-blast-radius.js";

/**
 * The reversibility of a change's migrations, each its own explained factor with a floor of high
 * risk: a lock ends when the migration does, but lost data, a migration that fails half-way on a
 * populated table, a backfill rewriting rows, or a schema change with no way back do not.
 */

const HIGH: RiskLevel = "high";
const ops = (files: ClassifiedFile[]) => files.flatMap((f) => (f.migration?.ops ?? []).map((o) => ({ ...o, file: f.path })));
const names = (xs: string[]) => [...new Set(xs)].join(", ");
const show = (op: string) => op.replace(/_/g, " ");

function destructive({ files }: ScoreInput): Factor | undefined {
  const hits = ops(files).filter((o) => o.destructive && o.op !== "full_table_write");
  if (!hits.length) return undefined;
  const what = names(hits.map((o) => `${show(o.op)} on ${o.table}`));
  return {
    name: "Destructive schema change",
    points: 25,
    floor: HIGH,
    reason: `${what}: irreversible — the data (or the old shape readers need) is gone once it runs; a down migration cannot bring it back, only a restore`,
    evidence: [],
    files: [...new Set(hits.map((o) => o.file))],
  };
}

function notNullWithoutDefault({ files, tables }: ScoreInput): Factor | undefined {
  const hits = ops(files).filter(
    (o) =>
      o.op === "add_not_null_column" ||
      (o.op === "add_column" && /null:\s*false|null=False|nullable=False/.test(o.detail) && !/default/i.test(o.detail)),
  );
  const populated = hits.filter((o) => (tables.find((t) => t.table === o.table)?.rows ?? 1) > 0);
  if (!populated.length) return undefined;
  const rows = (t: string) => tables.find((x) => x.table === t)?.rows;
  const where = names(
    populated.map((o) =>
      rows(o.table) !== undefined
        ? `${o.table} (${rows(o.table)!.toLocaleString("en")} rows)`
        : `${o.table} (row count not seen: populated unless it is new)`,
    ),
  );
  const evidence = [...new Set(populated.flatMap((o) => tables.filter((t) => t.table === o.table).map((t) => t.id)))];
  return {
    name: "NOT NULL column without a default",
    points: 20,
    floor: HIGH,
    reason: `ADD COLUMN … NOT NULL with no DEFAULT on ${where}: it fails outright on existing rows (or holds the lock while it does) — add a default, or add it nullable, backfill, then set NOT NULL`,
    evidence,
    files: [...new Set(populated.map((o) => o.file))],
  };
}

function backfill({ files }: ScoreInput): Factor | undefined {
  const sqlHits = ops(files).filter((o) => o.op === "backfill" || o.op === "full_table_write");
  const python = files.filter((f) => f.migration && addedLines(f.patch).some((l) => /\bRunPython\(/.test(l)));
  if (!sqlHits.length && !python.length) return undefined;
  const what = [...sqlHits.map((o) => `${o.detail.split(" ").slice(0, 3).join(" ")}`), ...python.map((f) => `RunPython in ${f.path}`)];
  return {
    name: "Data backfill",
    points: 15,
    floor: HIGH,
    reason: `rewrites existing rows (${names(what)}): long-running, holds row locks, bloats the table and is not undone by a down migration`,
    evidence: [],
    files: [...new Set([...sqlHits.map((o) => o.file), ...python.map((f) => f.path)])],
  };
}

/** Only new objects: the way back is to drop them, so a missing down step loses nothing. */
const ADDITIVE = new Set(["create_table", "create_index"]);

function missingDown({ files }: ScoreInput): Factor | undefined {
  const hits = files.filter((f) => f.migration && f.migration.down === false && f.migration.ops.some((o) => !ADDITIVE.has(o.op)));
  if (!hits.length) return undefined;
  return {
    name: "No down migration",
    points: 12,
    floor: HIGH,
    reason: `${names(hits.map((f) => f.path))} ${hits.length === 1 ? "has" : "have"} no down / rollback step: undoing ${hits.length === 1 ? "it" : "them"} in an incident means writing SQL under pressure`,
    evidence: [],
    files: hits.map((f) => f.path),
  };
}

export const MIGRATION_RISK = [destructive, notNullWithoutDefault, backfill, missingDown];

/** Whether a migration file carries (or the change adds) its way back; undefined when the format cannot tell. */
export function hasDownStep(file: Pick<ClassifiedFile, "path" | "patch">, framework: string, changePaths: string[]): boolean | undefined {
  const text = addedLines(file.patch).join("\n");
  const base = file.path.split("/").pop()!;
  const dir = file.path.slice(0, file.path.length - base.length);
  switch (framework) {
    case "flyway": {
      const version = /^V(\d+(?:[._]\d+)*)__/.exec(base)?.[1];
      return (
        changePaths.some((p) => p.startsWith(dir) && new RegExp(`(^|/)U${version}__[^/]+\\.sql$`).test(p)) ||
        /^\s*--\s*(rollback|down)\b/im.test(text)
      );
    }
    case "prisma":
      return /^\s*--\s*(rollback|down)\b/im.test(text) || changePaths.some((p) => p.startsWith(dir) && /down\.sql$/.test(p));
    case "rails":
      if (/^\s*def down\b/m.test(text) || /\breversible\b/.test(text)) return true;
      if (/^\s*def up\b/m.test(text)) return false;
      // `change` reverses itself, except for raw SQL and removals that do not say what was removed.
      return !(/^\s*execute\b/m.test(text) || /remove_column\s+:\w+,\s*:\w+\s*$/m.test(text) || /change_column\s/.test(text));
    case "django":
      if (
        /RunPython\((?![^)]*reverse_code)/.test(text.replace(/\n\s*/g, " ")) ||
        /RunSQL\((?![^)]*reverse_sql)/.test(text.replace(/\n\s*/g, " "))
      )
        return false;
      return true;
    case "alembic": {
      const down = /def downgrade\([^)]*\)[^:]*:\s*\n([\s\S]*)$/.exec(text)?.[1];
      if (down === undefined) return text.includes("def upgrade") ? false : undefined;
      const body = down.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#") && !/^\s*"""/.test(l));
      return !(body.length === 0 || body.every((l) => /^\s*pass\s*$/.test(l)));
    }
    case "knex":
      return (
        /exports\.down\s*=|export\s+(async\s+)?function\s+down\b|down\s*:\s*(async\s*)?\(/.test(text) &&
        !/(exports\.down\s*=|function\s+down)[^{]*\{\s*\}/.test(text)
      );
    case "liquibase":
      return /rollback/i.test(text);
    default: {
      if (/^U\d+(?:[._]\d+)*__/.test(base)) return true;
      if (/^\s*--\s*(\+goose Down|migrate:down|rollback\b|down\b)/im.test(text)) return true;
      if (/\.down\.sql$/.test(base) || /(^|\/)down\.sql$/.test(file.path)) return true;
      const upPair = /^(.*)\.up\.sql$/.exec(base) ?? (base === "up.sql" ? ["", ""] : null);
      if (upPair) return changePaths.some((p) => p === `${dir}${upPair[1]}.down.sql` || (base === "up.sql" && p === `${dir}down.sql`));
      return false;
    }
  }
}
