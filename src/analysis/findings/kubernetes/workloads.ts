import { make, type K8sFinding, type K8sView } from "./context.js";

const time = (s?: string) => (s && Number.isFinite(Date.parse(s)) ? Date.parse(s) : undefined);

/** Jobs that failed (backoffLimit reached, deadline exceeded); CronJobs suspended, missing their runs, or whose last Job failed. */
export function jobFindings(view: K8sView): K8sFinding[] {
  const out: K8sFinding[] = [];
  const failedJobs = new Map<string, string>();
  for (const { signal, item: j } of view.items("Job")) {
    const failed = (j.conditions ?? []).find((c: { type: string }) => c.type === "Failed");
    if (!failed && !(j.failed > 0 && j.active === 0 && j.succeeded === 0)) continue;
    const cron = j.owner?.startsWith("CronJob/") ? j.owner.slice(8) : undefined;
    if (cron) failedJobs.set(`${j.namespace}|${cron}`, j.name);
    const ev = view.eventsAbout("Job", j.name, j.namespace).find((e) => e.type === "Warning");
    out.push(
      make({
        cls: "job",
        kind: "Job",
        of: j,
        reason: failed?.reason ?? "Failed",
        message: failed?.message ?? ev?.message ?? `${j.failed} pods failed`,
        details: [
          `${j.failed} failed pod${j.failed === 1 ? "" : "s"}, backoffLimit ${j.backoffLimit}`,
          ...(cron ? [`started by CronJob ${cron}`] : []),
        ],
        fix:
          failed?.reason === "DeadlineExceeded"
            ? `Make ${j.name} finish within activeDeadlineSeconds, or raise the deadline`
            : `Read the failed pods' logs (\`kubectl logs job/${j.name}\`), fix the cause, then re-run the Job; raise backoffLimit only if the failures are transient`,
        severity: 0.75,
        evidence: [signal.id, ...(ev ? [ev.id] : [])],
        service: view.serviceOf(j.namespace, cron ?? j.name),
        at: time(j.completion ?? j.start),
      }),
    );
  }
  for (const { signal, item: c } of view.items("CronJob")) {
    const missed = view.eventsAbout("CronJob", c.name, c.namespace).find((e) => /Miss|TooManyMissedTimes|FailedNeedsStart/.test(e.reason));
    const service = view.serviceOf(c.namespace, c.name);
    if (c.suspend) {
      out.push(
        make({
          cls: "cronjob",
          kind: "CronJob",
          of: c,
          reason: "Suspended",
          message: `CronJob ${c.name} is suspended (spec.suspend: true); schedule ${c.schedule} does not run`,
          details: c.lastSchedule ? [`last scheduled ${c.lastSchedule}`] : [],
          fix: `Resume it if it should run: \`kubectl patch cronjob ${c.name} -p '{"spec":{"suspend":false}}'\``,
          severity: 0.55,
          evidence: [signal.id],
          service,
        }),
      );
    }
    if (missed)
      out.push(
        make({
          cls: "cronjob",
          kind: "CronJob",
          of: c,
          reason: missed.reason,
          message: missed.message,
          fix: `Set startingDeadlineSeconds on ${c.name} and check the controller was running; missed runs are not caught up`,
          severity: 0.6,
          evidence: [signal.id, missed.id],
          service,
        }),
      );
    const failedJob = failedJobs.get(`${c.namespace}|${c.name}`);
    if (failedJob)
      out.push(
        make({
          cls: "cronjob",
          kind: "CronJob",
          of: c,
          reason: "LastJobFailed",
          message: `the last Job of CronJob ${c.name} (${failedJob}) failed${c.lastSuccessful ? `; last success ${c.lastSuccessful}` : ""}`,
          fix: `Fix Job ${failedJob}'s failure (its pods' logs), then let the next schedule (${c.schedule}) run`,
          severity: 0.6,
          evidence: [signal.id],
          service,
        }),
      );
  }
  return out;
}

/** HPAs pinned at their maximum or unable to scale; PDBs that allow no disruption; StatefulSets and Deployments short of ready replicas. */
export function scalingFindings(view: K8sView): K8sFinding[] {
  const out: K8sFinding[] = [];
  for (const { signal, item: h } of view.items("HorizontalPodAutoscaler")) {
    const target = String(h.target ?? "").split("/")[1] ?? h.name;
    const service = view.serviceOf(h.namespace, target);
    const cannot = (h.conditions ?? []).find(
      (c: { type: string; status: string }) => (c.type === "ScalingActive" || c.type === "AbleToScale") && c.status === "False",
    );
    if (cannot) {
      const ev = view
        .eventsAbout("HorizontalPodAutoscaler", h.name, h.namespace)
        .find((e) => /FailedGet|FailedCompute|FailedRescale/.test(e.reason));
      out.push(
        make({
          cls: "hpa",
          kind: "HorizontalPodAutoscaler",
          of: h,
          reason: cannot.reason ?? cannot.type,
          message: cannot.message ?? ev?.message ?? "unable to scale",
          details: [`${h.current} replicas (min ${h.min}, max ${h.max})`],
          fix: /metric/i.test(`${cannot.reason} ${cannot.message}`)
            ? `Restore the metrics the HPA reads (metrics-server / the adapter: \`kubectl get apiservice v1beta1.metrics.k8s.io\`) and set resource requests on ${target}`
            : `Fix what stops ${h.name} from scaling (message above)`,
          severity: 0.7,
          evidence: [signal.id, ...(ev ? [ev.id] : [])],
          service,
        }),
      );
    }
    if (h.max !== undefined && h.current >= h.max && h.desired >= h.max) {
      const usage = (h.metrics ?? []).map(
        (m: { name?: string; utilization?: number }, i: number) =>
          `${m.name} ${m.utilization ?? "?"}% of request (target ${h.targets?.[i]?.utilization ?? "?"}%)`,
      );
      const limited = (h.conditions ?? []).find((c: { type: string }) => c.type === "ScalingLimited");
      const rescaled = view.eventsAbout("HorizontalPodAutoscaler", h.name, h.namespace).find((e) => e.reason === "SuccessfulRescale");
      if (rescaled) usage.push(`SuccessfulRescale: ${rescaled.message}`);
      out.push(
        make({
          cls: "hpa",
          kind: "HorizontalPodAutoscaler",
          of: h,
          reason: limited?.reason ?? "TooManyReplicas",
          message: limited?.message ?? `the desired replica count is more than the maximum replica count (${h.max})`,
          details: [`pinned at max: ${h.current}/${h.max} replicas`, ...usage],
          fix: `Raise ${h.name}'s maxReplicas (and check the nodes have room), or cut the load/per-pod cost that needs more than ${h.max} replicas`,
          severity: 0.7,
          evidence: [signal.id, ...(rescaled ? [rescaled.id] : [])],
          service,
        }),
      );
    }
  }
  for (const { signal, item: b } of view.items("PodDisruptionBudget")) {
    if (b.allowed > 0 || !(b.expected > 0)) continue;
    const cond = (b.conditions ?? [])[0];
    const services = view.servicesSelected(b.namespace, b.selector ?? {});
    out.push(
      make({
        cls: "pdb",
        kind: "PodDisruptionBudget",
        of: b,
        reason: cond?.reason ?? "InsufficientPods",
        message:
          cond?.message ??
          `disruptionsAllowed is 0: ${b.currentHealthy ?? "?"} healthy of ${b.expected} pods, ${b.minAvailable !== undefined ? `minAvailable ${b.minAvailable}` : `maxUnavailable ${b.maxUnavailable}`}`,
        details: [`${b.currentHealthy ?? "?"}/${b.expected} healthy, desired ${b.desiredHealthy ?? "?"}`],
        fix: `Evictions and node drains are blocked: make the selected pods healthy, or relax ${b.name} (${b.minAvailable !== undefined ? `minAvailable ${b.minAvailable}` : `maxUnavailable ${b.maxUnavailable}`}) so one pod may move`,
        severity: 0.6,
        evidence: [signal.id],
        service: services[0],
      }),
    );
  }
  for (const { signal, item: s } of view.items("StatefulSet")) {
    if (s.ready >= s.replicas) continue;
    const pvcs = view
      .items("PersistentVolumeClaim", s.namespace)
      .filter((c) => (s.claimTemplates ?? []).some((t: { name: string }) => c.item.name.startsWith(`${t.name}-${s.name}-`)));
    const pending = pvcs.filter((c) => c.item.phase !== "Bound");
    const svcMissing =
      s.serviceName &&
      view.objects.has(`${s.namespace}|Service`) &&
      !view.items("Service", s.namespace).some((x) => x.item.name === s.serviceName);
    out.push(
      make({
        cls: pending.length ? "volume" : "rollout",
        kind: "StatefulSet",
        of: s,
        reason: pending.length ? "PersistentVolumeClaimPending" : svcMissing ? "ServiceNotFound" : "ReplicasNotReady",
        message: pending.length
          ? `${pending.length} volume claim${pending.length > 1 ? "s" : ""} not bound: ${pending.map((c) => `${c.item.name} (${c.item.phase}${c.item.storageClass ? `, storageClass ${c.item.storageClass}` : ""})`).join(", ")}`
          : svcMissing
            ? `StatefulSet uses service ${s.serviceName} which does not exist`
            : `${s.ready}/${s.replicas} replicas ready`,
        details: [`${s.ready}/${s.replicas} ready`],
        fix: pending.length
          ? "Bind the claims: fix the storageClassName in volumeClaimTemplates or provide the volumes"
          : svcMissing
            ? `Create the headless Service ${s.serviceName}`
            : `See the findings of ${s.name}'s pods for why they are not ready`,
        severity: pending.length || svcMissing ? 0.75 : 0.5,
        evidence: [signal.id, ...pending.map((c) => c.signal.id)].filter((x, i, a) => a.indexOf(x) === i),
        service: view.serviceOf(s.namespace, s.name, s.selector),
      }),
    );
  }
  for (const { signal, item: d } of view.items("Deployment")) {
    const stuck = (d.conditions ?? []).find(
      (c: { type: string; reason?: string }) => c.reason === "ProgressDeadlineExceeded" || c.type === "ReplicaFailure",
    );
    if (!stuck) continue;
    out.push(
      make({
        cls: "rollout",
        kind: "Deployment",
        of: d,
        reason: stuck.reason ?? stuck.type,
        message: stuck.message ?? stuck.reason,
        details: [`${d.ready}/${d.replicas} ready`],
        fix:
          stuck.type === "ReplicaFailure"
            ? `Fix what stops ${d.name}'s ReplicaSet creating pods (message above: quota, admission, service account)`
            : `The rollout of ${d.name} stalled: \`kubectl rollout undo deployment/${d.name}\`, then fix the new pods' failure`,
        severity: 0.7,
        evidence: [signal.id],
        service: view.serviceOf(d.namespace, d.name, d.selector),
      }),
    );
  }
  return out;
}
