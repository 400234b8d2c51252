import type { Signal } from "../../../signals/types.js";
import { clusterFindings, eventFindings } from "./cluster.js";
import { K8sView, type K8sFinding } from "./context.js";
import { networkFindings } from "./network.js";
import { podFindings } from "./pods.js";
import { jobFindings, scalingFindings } from "./workloads.js";

export type { K8sFinding, K8sFindingClass } from "./context.js";

/**
 * Everything the Kubernetes signals state outright is wrong, as findings (k8sgpt's analyzers as a
 * floor: Pod, Deployment, StatefulSet, Job, CronJob, Service, Ingress, HPA, PDB, PVC, Node,
 * NetworkPolicy, Events), strongest first. Pure and deterministic: the same signals give the same
 * findings in the same order.
 */
export function kubernetesFindings(signals: Signal[]): K8sFinding[] {
  const view = new K8sView(signals);
  const found = [...podFindings(view), ...jobFindings(view), ...scalingFindings(view), ...networkFindings(view), ...clusterFindings(view)];
  // Events only speak for objects nothing above covers: a pod not read whole, a claim, a node.
  const covered = new Set(
    found.flatMap((f) => [
      `${f.object.kind}/${f.object.name}`,
      ...f.details.flatMap((d) =>
        /^\d+ pods: /.test(d)
          ? d
              .replace(/^\d+ pods: /, "")
              .split(", ")
              .map((p) => `Pod/${p}`)
          : [],
      ),
    ]),
  );
  const all = [...found, ...eventFindings(view, covered)];
  const seen = new Set<string>();
  return all.filter((f) => !seen.has(f.id) && seen.add(f.id)).sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
}

/** One line a person reads: `Pod prod/api-7d9c4-x2k8p: CrashLoopBackOff — back-off 5m0s … (exit code 1)`. */
export const findingText = (f: K8sFinding) =>
  `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.name}: ${f.reason} — ${f.message}${f.details.length ? ` (${f.details.join("; ")})` : ""}`;
