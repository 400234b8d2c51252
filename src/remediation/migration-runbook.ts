import type { RcaState } from "./rca-state.js";
import type { FixPlan } from "./types.js";

/** Evidence that the migration is still running: its statement holds a lock, or the mitigation cancels a backend. */
const RUNNING = /holding the lock|pg_(cancel|terminate)_backend|still running/i;

/**
 * The cause is a migration (the plan leaves migration files alone, or the chain names one): the
 * runbook that comes first — the analysis's own mitigation (cancel pid 4711 with its SQL, pause the
 * deploy) when it is still running, then its down step or a corrective migration. The code revert
 * is step 2. Undefined when no migration is involved.
 */
export function migrationRunbook(
  h: RcaState["hypotheses"][number],
  plan: Pick<FixPlan, "skipped" | "target">,
): NonNullable<FixPlan["runbook"]> | undefined {
  const migrations = plan.skipped.map((s) => s.path);
  const named = /migration `([^`]+)`/.exec(h.chain ?? "")?.[1];
  if (!migrations.length && !named) return undefined;
  const files = migrations.length ? migrations : [named!];
  const running = RUNNING.test(`${h.chain ?? ""} ${h.mitigation.join(" ")}`);
  const list = files.map((f) => `\`${f.split("/").pop()}\``).join(", ");
  const undo = `Undo the schema change of ${list}: run its down step, or write a corrective migration — reverting the file (step 2) does not undo what already ran${running ? "; a cancelled ALTER in PostgreSQL rolls back, so check first with `SELECT column_name FROM information_schema.columns WHERE table_name = '<table>'`" : ""}.`;
  const mitigation = running ? h.mitigation : h.mitigation.filter((m) => !/pg_(cancel|terminate)_backend/.test(m));
  return { migrations: files, running, steps: [...mitigation, undo] };
}

/** The plan's skipped migrations, said as the evidence has them: still running, or has run. */
export function withMigrationStatus(plan: FixPlan): FixPlan {
  if (!plan.runbook) return plan;
  const why = plan.runbook.running
    ? "still running when the analysis ran (it holds the lock): cancel it first — step 1"
    : "has run: reverting the file does not undo the schema change — its down step or a corrective migration is step 1";
  return { ...plan, skipped: plan.skipped.map((s) => (plan.runbook!.migrations.includes(s.path) ? { ...s, why } : s)) };
}
