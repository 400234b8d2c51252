import type { Signal } from "../signals/types.js";
import { SIGNAL } from "../signals/catalog.js";

/** A setting that moved: what it was before the window and what it is now, with the two signals behind it. */
export type Drift = { signal: string; service?: string; setting: string; before: string; now: string; detail: string; evidence: string[] };

/**
 * The settings each state signal carries, as paths into its data. Only settings: values that a
 * change sets (a policy, a limit, a size), never gauges that move by themselves (memory used,
 * clients connected) nor cumulative counters.
 */
const SETTINGS: Record<string, (data: Record<string, unknown>) => Record<string, unknown>> = {
  [SIGNAL.redisMemoryUsed]: (d) => ({ maxmemory_policy: d.policy, maxmemory: d.maxmemory }),
  [SIGNAL.redisConnectedClients]: (d) => ({ maxclients: d.maxclients }),
  [SIGNAL.pgConnections]: (d) => ({ max_connections: d.max_connections }),
  [SIGNAL.k8sCronjobs]: (d) =>
    Object.fromEntries(
      ((d.cronjobs ?? []) as Array<{ name: string; schedule?: string; suspend?: boolean }>).flatMap((c) => [
        [`${c.name}.schedule`, c.schedule],
        [`${c.name}.suspend`, c.suspend],
      ]),
    ),
  [SIGNAL.k8sDeploymentSpec]: (d) => {
    const out: Record<string, unknown> = { replicas: d.replicas };
    for (const c of (d.containers ?? []) as Array<Record<string, any>>) {
      out[`${c.name}.image`] = c.image;
      for (const part of ["limits", "requests", "env"])
        for (const [k, v] of Object.entries(c[part] ?? {})) out[`${c.name}.${part}.${k}`] = v;
    }
    const s = (d.scheduling ?? {}) as Record<string, unknown>;
    for (const k of ["affinity", "nodeSelector", "tolerations"]) out[`scheduling.${k}`] = s[k];
    return out;
  },
};

const show = (v: unknown) => (v === undefined || v === null || v === "" ? "(none)" : String(v));

/**
 * Settings that differ between the state read as of the window's start and now: "X was A before
 * the window and is B now". Pure; signals are paired by id.
 */
export function stateDrift(before: Signal[], now: Signal[]): Drift[] {
  const earlier = new Map(before.map((s) => [s.id, s]));
  const out: Drift[] = [];
  for (const s of now) {
    const settings = SETTINGS[s.name];
    const b = earlier.get(s.id);
    if (!settings || !b) continue;
    const [was, is] = [settings(b.data ?? {}), settings(s.data ?? {})];
    for (const key of [...new Set([...Object.keys(was), ...Object.keys(is)])]) {
      if (show(was[key]) === show(is[key]) || (was[key] === undefined && is[key] === undefined)) continue;
      const subject =
        s.name === SIGNAL.k8sDeploymentSpec
          ? `deployment ${String(s.data?.name ?? "")}`
          : s.name === SIGNAL.k8sCronjobs
            ? "cronjob"
            : s.name.split(".")[0]!;
      out.push({
        signal: s.name,
        service: s.service,
        setting: key,
        before: show(was[key]),
        now: show(is[key]),
        detail: `${s.service ? `${s.service}: ` : ""}${subject} ${key} was ${show(was[key])} before the window and is ${show(is[key])} now`,
        evidence: [s.id],
      });
    }
  }
  return out;
}
