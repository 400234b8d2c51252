/**
 * What a database migration does, read from the lines it adds: the tables it touches and the
 * operations that lock, rewrite or destroy — for SQL (Flyway, Prisma, plain), Rails, Django,
 * Alembic, knex and Liquibase.
 */

export type MigrationOp = {
  op: string;
  table: string;
  /** Takes a lock that blocks writes (or reads) for the length of a table scan or rewrite. */
  locking: boolean;
  /** Loses data or breaks readers of the old shape. */
  destructive: boolean;
  detail: string;
};

export type Migration = {
  framework: string;
  tables: string[];
  ops: MigrationOp[];
  /** False when the migration has no down / rollback step (set once the whole change is known). */
  down?: boolean;
};

/** Column types that hold less than most columns they replace: altering to one may truncate or fail. */
const NARROW_TYPE =
  /\bTYPE (?:character varying|varchar|char(?:acter)?|numeric|decimal)\s*\(\s*\d+|\bTYPE (?:smallint|int2|int4|integer|int|real|float4|date|boolean|bool)\b/i;

const MIGRATION_PATH =
  /(^|\/)(db\/migrate|migrations?|alembic\/versions|flyway|db\/changelog|changelogs?|liquibase)\/|(^|\/)V\d+(_\d+)*__[^/]+\.sql$|(^|\/)prisma\/migrations\/[^/]+\/migration\.sql$/i;

export function isMigrationPath(path: string): boolean {
  return MIGRATION_PATH.test(path) && !/\.(md|txt|lock)$/i.test(path) && !/(^|\/)(__init__|__pycache__)/.test(path);
}

export function frameworkOf(path: string, added: string): string {
  if (/db\/migrate\/.+\.rb$/.test(path)) return "rails";
  if (/prisma\/migrations\//.test(path)) return "prisma";
  if (/(^|\/)V\d+(_\d+)*__[^/]+\.sql$/.test(path)) return "flyway";
  if (/alembic\/versions\//.test(path) || /\bop\.(add_column|create_table|alter_column|create_index|drop_)/.test(added)) return "alembic";
  if (
    /migrations\/\d{4}_[^/]+\.py$/.test(path) ||
    /\bmigrations\.(AddField|CreateModel|AlterField|RemoveField|AddIndex|RunSQL)/.test(added)
  )
    return "django";
  if (/\bknex\.schema|\.createTable\(|\.alterTable\(/.test(added)) return "knex";
  if (/changelog|liquibase/i.test(path) || /changeSet|tableName/.test(added)) return "liquibase";
  return "sql";
}

const ident = String.raw`(?:"?[\w$]+"?\.)?"?([\w$]+)"?`;
const clean = (t: string) => t.replace(/["'`:]/g, "").toLowerCase();

function sqlOps(sql: string): MigrationOp[] {
  const ops: MigrationOp[] = [];
  const text = sql.replace(/--.*$/gm, "").replace(/\s+/g, " ");
  const push = (op: string, table: string, locking: boolean, destructive: boolean, detail: string) =>
    ops.push({ op, table: clean(table), locking, destructive, detail: detail.trim().slice(0, 160) });
  for (const m of text.matchAll(new RegExp(String.raw`CREATE TABLE (?:IF NOT EXISTS )?${ident}`, "gi")))
    push("create_table", m[1]!, false, false, m[0]);
  for (const m of text.matchAll(new RegExp(String.raw`DROP TABLE (?:IF EXISTS )?${ident}`, "gi")))
    push("drop_table", m[1]!, true, true, m[0]);
  for (const m of text.matchAll(new RegExp(String.raw`TRUNCATE (?:TABLE )?${ident}`, "gi"))) push("truncate", m[1]!, true, true, m[0]);
  for (const m of text.matchAll(
    new RegExp(String.raw`CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:[\w"$.]+ )?ON (?:ONLY )?${ident}`, "gi"),
  )) {
    push("create_index", m[2]!, !m[1], false, m[0]);
  }
  for (const m of text.matchAll(new RegExp(String.raw`ALTER TABLE (?:ONLY )?(?:IF EXISTS )?${ident} ([^;]+)`, "gi"))) {
    const table = m[1]!;
    const body = m[2]!;
    if (/\bADD (?:COLUMN )?(?:IF NOT EXISTS )?[\w"]+ [^,]*NOT NULL/i.test(body) && !/\bDEFAULT\b/i.test(body))
      push("add_not_null_column", table, true, false, `ALTER TABLE ${table} ${body}`);
    else if (/\bADD (?:COLUMN )?/i.test(body) && !/\bADD CONSTRAINT\b/i.test(body))
      push("add_column", table, /\bDEFAULT\b.*\b(now|random|gen_random_uuid|nextval)\(/i.test(body), false, `ALTER TABLE ${table} ${body}`);
    if (/\bALTER (?:COLUMN )?[\w"]+ (?:SET DATA )?TYPE\b/i.test(body)) {
      const narrowing = NARROW_TYPE.test(body);
      push(narrowing ? "narrow_column_type" : "alter_column_type", table, true, narrowing, `ALTER TABLE ${table} ${body}`);
    }
    if (/\bSET NOT NULL\b/i.test(body)) push("set_not_null", table, true, false, `ALTER TABLE ${table} ${body}`);
    if (/\bADD CONSTRAINT\b/i.test(body) && !/\bNOT VALID\b/i.test(body))
      push("add_constraint", table, true, false, `ALTER TABLE ${table} ${body}`);
    if (/\bDROP (?:COLUMN )?(?!CONSTRAINT)/i.test(body)) push("drop_column", table, true, true, `ALTER TABLE ${table} ${body}`);
    if (/\bRENAME\b/i.test(body)) push("rename", table, true, true, `ALTER TABLE ${table} ${body}`);
  }
  for (const m of text.matchAll(new RegExp(String.raw`\b(UPDATE|DELETE FROM) ${ident}([^;]*)`, "gi"))) {
    const whole = !/\bWHERE\b/i.test(m[3]!);
    const del = m[1]!.toUpperCase().startsWith("DELETE");
    push(whole ? "full_table_write" : "backfill", m[2]!, whole, del, `${m[1]} ${m[2]}${m[3]}`);
  }
  for (const m of text.matchAll(new RegExp(String.raw`\bINSERT INTO ${ident}[^;]*?\bSELECT\b[^;]*`, "gi")))
    push("backfill", m[1]!, false, false, m[0]);
  return ops;
}

type Rule = { re: RegExp; op: string; locking?: (line: string) => boolean; destructive?: boolean };

const RAILS: Rule[] = [
  { re: /create_table\s+:?["']?(\w+)/, op: "create_table" },
  { re: /drop_table\s+:?["']?(\w+)/, op: "drop_table", locking: () => true, destructive: true },
  { re: /add_column\s+:?["']?(\w+)/, op: "add_column", locking: (l) => /null:\s*false/.test(l) && !/default:/.test(l) },
  { re: /remove_column\s+:?["']?(\w+)/, op: "drop_column", locking: () => true, destructive: true },
  {
    re: /change_column\s+:?["']?(\w+)[^\n]*(?:limit:|:integer|:date\b|:boolean)/,
    op: "narrow_column_type",
    locking: () => true,
    destructive: true,
  },
  { re: /change_column\s+:?["']?(\w+)(?![^\n]*(?:limit:|:integer|:date\b|:boolean))/, op: "alter_column_type", locking: () => true },
  { re: /(\w+)\.(?:update_all|in_batches|find_each)\b/, op: "backfill" },
  { re: /change_column_null\s+:?["']?(\w+)[^\n]*false/, op: "set_not_null", locking: () => true },
  { re: /rename_(?:column|table)\s+:?["']?(\w+)/, op: "rename", locking: () => true, destructive: true },
  { re: /add_index\s+:?["']?(\w+)/, op: "create_index", locking: (l) => !/algorithm:\s*:concurrently/.test(l) },
  { re: /add_foreign_key\s+:?["']?(\w+)/, op: "add_constraint", locking: (l) => !/validate:\s*false/.test(l) },
];
const DJANGO: Rule[] = [
  { re: /CreateModel\(\s*name=["'](\w+)/, op: "create_table" },
  { re: /DeleteModel\(\s*name=["'](\w+)/, op: "drop_table", locking: () => true, destructive: true },
  { re: /AddField\(\s*model_name=["'](\w+)/, op: "add_column", locking: (l) => /null=False/.test(l) && !/default=/.test(l) },
  { re: /RemoveField\(\s*model_name=["'](\w+)/, op: "drop_column", locking: () => true, destructive: true },
  { re: /AlterField\(\s*model_name=["'](\w+)/, op: "alter_column_type", locking: () => true },
  { re: /RenameField\(\s*model_name=["'](\w+)/, op: "rename", locking: () => true, destructive: true },
  { re: /AddIndex\(\s*model_name=["'](\w+)/, op: "create_index", locking: (l) => !/Concurrently/.test(l) },
];
const ALEMBIC: Rule[] = [
  { re: /op\.create_table\(\s*["'](\w+)/, op: "create_table" },
  { re: /op\.drop_table\(\s*["'](\w+)/, op: "drop_table", locking: () => true, destructive: true },
  { re: /op\.add_column\(\s*["'](\w+)/, op: "add_column", locking: (l) => /nullable=False/.test(l) && !/server_default=/.test(l) },
  { re: /op\.drop_column\(\s*["'](\w+)/, op: "drop_column", locking: () => true, destructive: true },
  { re: /op\.alter_column\(\s*["'](\w+)/, op: "alter_column_type", locking: () => true },
  { re: /op\.create_index\(\s*["'][\w]+["']\s*,\s*["'](\w+)/, op: "create_index", locking: (l) => !/postgresql_concurrently=True/.test(l) },
];
const KNEX: Rule[] = [
  { re: /createTable\(\s*["'](\w+)/, op: "create_table" },
  { re: /dropTable(?:IfExists)?\(\s*["'](\w+)/, op: "drop_table", locking: () => true, destructive: true },
  { re: /(?:alterTable|schema\.table)\(\s*["'](\w+)/, op: "alter_table", locking: () => true },
];
const LIQUIBASE: Rule[] = [{ re: /tableName["']?\s*[:=]\s*["']?(\w+)/, op: "alter_table", locking: () => true }];

function ruleOps(lines: string[], rules: Rule[]): MigrationOp[] {
  const ops: MigrationOp[] = [];
  for (const line of lines) {
    for (const rule of rules) {
      const m = rule.re.exec(line);
      if (m)
        ops.push({
          op: rule.op,
          table: clean(m[1]!),
          locking: rule.locking?.(line) ?? false,
          destructive: rule.destructive ?? false,
          detail: line.trim().slice(0, 160),
        });
    }
  }
  return ops;
}

/** Reads a migration from its path and the lines the change adds. */
export function readMigration(path: string, addedLines: string[]): Migration {
  const added = addedLines.join("\n");
  const framework = frameworkOf(path, added);
  // SQL embedded in ORM migrations (RunSQL, op.execute, execute <<~SQL) is read as SQL too.
  const embedded = [...added.matchAll(/(?:RunSQL|op\.execute|execute|raw)\(\s*(?:[rRbB]?["'`]{1,3})([\s\S]+?)["'`]{1,3}/g)]
    .map((m) => m[1]!)
    .join(";\n");
  const rules = { rails: RAILS, django: DJANGO, alembic: ALEMBIC, knex: KNEX, liquibase: LIQUIBASE }[framework];
  const ops = [...(rules ? ruleOps(addedLines, rules) : sqlOps(added)), ...(rules ? sqlOps(embedded) : [])];
  return { framework, tables: [...new Set(ops.map((o) => o.table))], ops };
}
