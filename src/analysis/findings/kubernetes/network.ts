import { selects } from "../../../signals/adapters/kubernetes/objects.js";
import { make, shortList, type K8sFinding, type K8sView } from "./context.js";

const sel = (s: Record<string, string>) =>
  Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/**
 * Services with no ready endpoint (a selector that matches no pod, or pods that are not ready);
 * Ingresses with no class or a missing backend Service; NetworkPolicies that select pods and
 * allow them no ingress.
 */
export function networkFindings(view: K8sView): K8sFinding[] {
  const out: K8sFinding[] = [];
  for (const { signal, item: s } of view.items("Service")) {
    if (!s.selector || !Object.keys(s.selector).length || s.type === "ExternalName") continue;
    const ep = view.items("Endpoints", s.namespace).find((e) => e.item.name === s.name);
    const pods = view.items("Pod", s.namespace).filter((p) => selects(s.selector, p.item.labels ?? {}));
    const podsRead = view.objects.has(`${s.namespace}|Pod`);
    const service = view.serviceOf(s.namespace, s.name, s.selector) ?? view.servicesSelected(s.namespace, s.selector)[0];
    const evidence = [signal.id, ...(ep ? [ep.signal.id] : [])];
    if (podsRead && !pods.length) {
      // The pods' values for the selector's keys, closest first: `app=checkout` beside a selector `app=checkout-v2`.
      const common = (a: string, b: string) => [...a].findIndex((ch, i) => b[i] !== ch) >>> 0;
      const near = [
        ...new Set(
          Object.entries(s.selector as Record<string, string>).flatMap(([k, v]) =>
            view
              .items("Pod", s.namespace)
              .map((p) => p.item.labels?.[k])
              .filter((x): x is string => !!x)
              .sort((a, b) => Math.min(common(b, v), v.length) - Math.min(common(a, v), v.length) || a.localeCompare(b))
              .map((x) => `${k}=${x}`),
          ),
        ),
      ];
      out.push(
        make({
          cls: "service",
          kind: "Service",
          of: s,
          reason: "NoEndpoints",
          message: `Service has no endpoints, expected label ${sel(s.selector)}: no pod matches the selector`,
          details: near.length ? [`pods carry ${shortList(near)}`] : [],
          fix: `Fix Service ${s.name}'s selector (${sel(s.selector)}) or the pods' labels so they match`,
          severity: 0.8,
          evidence: [...evidence, view.items("Pod", s.namespace)[0]!.signal.id].filter((x, i, a) => x && a.indexOf(x) === i),
          service,
        }),
      );
    } else if (ep && ep.item.ready === 0) {
      const notReady = ep.item.notReadyPods ?? [];
      // Why the pods are not ready, in the kubelet's words (a probe failing, a crash).
      const why = [
        ...new Set(
          [...notReady, ...pods.map((p) => p.item.name)].flatMap((name) =>
            view
              .eventsAbout("Pod", name, s.namespace)
              .filter((e) => e.type === "Warning")
              .map((e) => `${e.reason}: ${e.message}`),
          ),
        ),
      ].slice(0, 2);
      out.push(
        make({
          cls: "service",
          kind: "Service",
          of: s,
          reason: "NoReadyEndpoints",
          message: `Service has no ready endpoints${notReady.length ? `; not ready: ${shortList(notReady)}` : ` (${pods.length} pods match ${sel(s.selector)}, none ready)`}`,
          details: why,
          fix: `Make ${s.name}'s pods ready (see their findings: probes, crashes); traffic to the Service fails until one is`,
          severity: 0.75,
          evidence,
          service,
        }),
      );
    }
  }
  const classes = view.items("IngressClass").map((c) => c.item);
  for (const { signal, item: i } of view.items("Ingress")) {
    const service = (i.backends ?? []).map((b: { service: string }) => view.serviceOf(i.namespace, b.service)).find(Boolean);
    if (!i.className && classes.length && !classes.some((c) => c.isDefault)) {
      out.push(
        make({
          cls: "ingress",
          kind: "Ingress",
          of: i,
          reason: "NoIngressClass",
          message: `Ingress ${i.name} has no ingressClassName and the cluster has no default IngressClass: no controller serves it`,
          details: [`classes: ${classes.map((c) => c.name).join(", ")}`],
          fix: `Set spec.ingressClassName on ${i.name} to one of ${classes.map((c) => c.name).join(", ")}`,
          severity: 0.7,
          evidence: [signal.id],
          service,
        }),
      );
    } else if (i.className && classes.length && !classes.some((c) => c.name === i.className)) {
      out.push(
        make({
          cls: "ingress",
          kind: "Ingress",
          of: i,
          reason: "IngressClassNotFound",
          message: `Ingress uses the ingress class ${i.className} which does not exist`,
          details: [`classes: ${classes.map((c) => c.name).join(", ")}`],
          fix: `Set spec.ingressClassName on ${i.name} to one of ${classes.map((c) => c.name).join(", ")}`,
          severity: 0.7,
          evidence: [signal.id],
          service,
        }),
      );
    }
    if (!view.objects.has(`${i.namespace}|Service`)) continue;
    for (const b of i.backends ?? []) {
      if (view.items("Service", i.namespace).some((s) => s.item.name === b.service)) continue;
      out.push(
        make({
          cls: "ingress",
          kind: "Ingress",
          of: i,
          reason: "BackendServiceNotFound",
          message: `Ingress uses the service ${i.namespace}/${b.service} which does not exist`,
          details: [`${b.host ?? "*"}${b.path ?? "/"} → ${b.service}:${b.port ?? "?"}`],
          fix: `Point ${i.name}'s backend at an existing Service, or create Service ${b.service}`,
          severity: 0.75,
          evidence: [signal.id],
          service: view.serviceOf(i.namespace, b.service) ?? service,
        }),
      );
    }
  }
  for (const { signal, item: n } of view.items("NetworkPolicy")) {
    const all = Object.keys(n.podSelector ?? {}).length === 0;
    const pods = view.items("Pod", n.namespace).filter((p) => all || selects(n.podSelector, p.item.labels ?? {}));
    const denies = (n.policyTypes ?? []).includes("Ingress") && n.ingressRules === 0;
    if (!pods.length && !all && view.objects.has(`${n.namespace}|Pod`)) continue;
    if (!denies || !pods.length) continue;
    const services = [...new Set(pods.map((p) => view.serviceOf(n.namespace, p.item.name, p.item.labels)).filter((s): s is string => !!s))];
    out.push(
      make({
        cls: "network",
        kind: "NetworkPolicy",
        of: n,
        reason: "DeniesAllIngress",
        message: `NetworkPolicy ${n.name} selects ${all ? "every pod in the namespace" : `pods ${sel(n.podSelector)}`} with policyTypes Ingress and no ingress rule: all traffic to them is dropped`,
        details: [`selects ${shortList(pods.map((p) => p.item.name))}`],
        fix: `Add an ingress rule to ${n.name} allowing the callers (from their pod/namespace selectors and ports), or remove the policy`,
        severity: 0.75,
        evidence: [signal.id],
        service: services[0],
      }),
    );
  }
  return out;
}
