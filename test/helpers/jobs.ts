import type { PrImpactJob, RcaJob } from "../../src/jobs/types.js";

export const repo = { owner: "acme", repo: "api" };

export function impactJob(n: number, headSha: string, delivery = `d-${headSha}`): PrImpactJob {
  return {
    kind: "pr-impact",
    id: `${delivery}:pr-impact:${n}`,
    delivery,
    installationId: 1,
    repo,
    actor: "octocat",
    coalesceKey: `pr-impact:acme/api#${n}`,
    pullNumber: n,
    headSha,
    draft: false,
    trigger: "synchronize",
  };
}

export function rcaJob(n: number, delivery = `d-rca-${n}`): RcaJob {
  return {
    kind: "rca",
    id: `${delivery}:rca:${n}`,
    delivery,
    installationId: 1,
    repo,
    actor: "octocat",
    issueNumber: n,
    trigger: "labeled",
    labels: ["incident"],
  };
}
