import { describe, expect, it } from "@jest/globals";
import { classifyChanges, dependencyBumps, firstChangedLine, manifestChanges } from "../../../src/analysis/classify-change.js";
import { readMigration } from "../../../src/analysis/migrations.js";
import type { ChangeSet, FileChange } from "../../../src/core/change-set.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";

const patchOf = (...added: string[]) => `@@ -0,0 +1,${added.length} @@\n${added.map((l) => `+${l}`).join("\n")}`;
const file = (path: string, patch?: string): FileChange => ({ path, status: "modified", additions: 1, deletions: 0, patch });
const change = (...files: FileChange[]): ChangeSet => ({
  ref: "t",
  base: { ref: "main", sha: "a" },
  head: { ref: "f", sha: "b" },
  files,
  changedFiles: files.length,
  filesNotListed: 0,
});
const config = repoConfigSchema.parse({ services: { api: { paths: ["services/api/**", "db/**"] }, web: { paths: ["services/web/**"] } } });

describe("classifyChanges", () => {
  it.each([
    ["db/migrate/20261123_add_status.rb", "migration"],
    ["services/api/migrations/0042_order_status.py", "migration"],
    ["alembic/versions/abc123_add_index.py", "migration"],
    ["prisma/migrations/20261123_init/migration.sql", "migration"],
    ["sql/V12__orders_status.sql", "migration"],
    ["db/changelog/changes/v1.yaml", "migration"],
    ["k8s/api/deployment.yaml", "kubernetes"],
    ["charts/api/values-prod.yaml", "helm"],
    ["infra/main.tf", "infrastructure"],
    ["services/api/Dockerfile", "infrastructure"],
    [".github/workflows/ci.yml", "ci"],
    ["services/api/package.json", "dependency"],
    ["package-lock.json", "lockfile"],
    ["services/api/config/production.yml", "config"],
    ["services/api/src/orders.ts", "code"],
    ["services/api/src/orders.test.ts", "test"],
    ["services/api/tests/test_orders.py", "test"],
    ["README.md", "docs"],
  ])("%s is %s", (path, kind) => {
    expect(classifyChanges(change(file(path)), config)[0]!.kind).toBe(kind);
  });

  it("maps files to services by glob and leaves the rest unmapped", () => {
    const [a, b, c] = classifyChanges(change(file("services/api/src/x.ts"), file("services/web/a.vue"), file("tools/x.sh")), config);
    expect([a!.services, b!.services, c!.services]).toEqual([["api"], ["web"], []]);
  });

  it("flags auth and payment paths, not tests of them", () => {
    const [auth, pay, test] = classifyChanges(
      change(
        file("services/api/src/auth/session.ts"),
        file("services/api/src/payments/refund.py"),
        file("services/api/src/auth/session.test.ts"),
      ),
      config,
    );
    expect(auth!.sensitive).toEqual(["auth"]);
    expect(pay!.sensitive).toEqual(["payment"]);
    expect(test!.sensitive).toBeUndefined();
  });

  it("finds new routes in the added lines", () => {
    const [f] = classifyChanges(
      change(file("services/api/src/routes.ts", patchOf("router.post('/orders/:id/refund', refund)", "app.get(`/health`, ok)"))),
      config,
    );
    expect(f!.newRoutes).toEqual(["/orders/:id/refund", "/health"]);
  });
});

describe("readMigration", () => {
  it.each([
    [
      "plain SQL, lock-heavy index and NOT NULL column",
      "sql/V3__x.sql",
      ["CREATE INDEX idx_orders_status ON orders (status);", "ALTER TABLE public.orders ADD COLUMN status text NOT NULL;"],
      ["orders"],
      ["create_index:locking", "add_not_null_column:locking"],
    ],
    [
      "concurrent index is not locking",
      "sql/V4__x.sql",
      ["CREATE INDEX CONCURRENTLY idx ON orders (status);"],
      ["orders"],
      ["create_index"],
    ],
    [
      "type change and drop",
      "migrations/1.sql",
      ["ALTER TABLE users ALTER COLUMN email TYPE varchar(320);", "ALTER TABLE users DROP COLUMN legacy;"],
      ["users"],
      ["narrow_column_type:locking:destructive", "drop_column:locking:destructive"],
    ],
    ["full-table update", "migrations/2.sql", ["UPDATE orders SET status = 'new';"], ["orders"], ["full_table_write:locking"]],
    [
      "Rails",
      "db/migrate/1_x.rb",
      ["add_column :orders, :status, :string, null: false", "add_index :orders, :status, algorithm: :concurrently"],
      ["orders"],
      ["add_column:locking", "create_index"],
    ],
    [
      "Django",
      "app/migrations/0002_x.py",
      [
        "migrations.AddField(model_name='order', name='status', field=models.CharField(null=False))",
        "migrations.RemoveField(model_name='customer', name='fax')",
      ],
      ["order", "customer"],
      ["add_column:locking", "drop_column:locking:destructive"],
    ],
    [
      "Alembic",
      "alembic/versions/x.py",
      [
        "op.add_column('orders', sa.Column('status', sa.String(), nullable=False))",
        "op.create_index('ix_status', 'orders', ['status'], postgresql_concurrently=True)",
      ],
      ["orders"],
      ["add_column:locking", "create_index"],
    ],
    [
      "knex",
      "migrations/2026_x.js",
      ["return knex.schema.alterTable('orders', (t) => { t.string('status').notNullable() })"],
      ["orders"],
      ["alter_table:locking"],
    ],
    ["Liquibase", "db/changelog/x.yaml", ["- addColumn:", "    tableName: orders"], ["orders"], ["alter_table:locking"]],
  ])("reads %s", (_name, path, added, tables, ops) => {
    const m = readMigration(path, added);
    expect(m.tables).toEqual(tables);
    expect(m.ops.map((o) => [o.op, o.locking && "locking", o.destructive && "destructive"].filter(Boolean).join(":"))).toEqual(ops);
  });

  it("reads SQL embedded in an ORM migration", () => {
    expect(readMigration("app/migrations/0003_x.py", ['migrations.RunSQL("CREATE INDEX idx ON shop_order (created_at)")']).ops).toEqual([
      expect.objectContaining({ op: "create_index", table: "shop_order", locking: true }),
    ]);
  });
});

describe("manifest and dependency changes", () => {
  it("reads replicas, resources, image and probes", () => {
    const patch = [
      "@@ -1,9 +1,9 @@",
      "-  replicas: 3",
      "+  replicas: 1",
      "-        image: api:1.4.0",
      "+        image: api:1.5.0",
      "-            memory: 512Mi",
      "+            memory: 128Mi",
      "         readinessProbe:",
      "-          timeoutSeconds: 5",
      "+          timeoutSeconds: 1",
    ].join("\n");
    expect(manifestChanges(patch)).toEqual([
      "replicas 3 → 1",
      "image api:1.4.0 → api:1.5.0",
      "memory 512Mi → 128Mi",
      "timeoutSeconds 5 → 1",
      "readinessProbe changed",
    ]);
  });

  it("reads dependency bumps and tells a major one", () => {
    const patch = [
      '-    "express": "^4.18.2",',
      '+    "express": "^5.0.0",',
      '-    "zod": "4.1.0",',
      '+    "zod": "4.6.7",',
      '+    "left-pad": "1.3.0",',
    ].join("\n");
    expect(dependencyBumps(patch)).toEqual([
      { name: "express", from: "^4.18.2", to: "^5.0.0", major: true },
      { name: "zod", from: "4.1.0", to: "4.6.7", major: false },
      { name: "left-pad", from: undefined, to: "1.3.0", major: false },
    ]);
  });

  it("finds the first changed line of a patch", () => {
    expect(firstChangedLine("@@ -10,4 +12,5 @@\n ctx\n ctx\n+new\n ctx")).toBe(14);
  });
});
