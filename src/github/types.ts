import type { ProbotOctokit } from "probot";

/** An authenticated installation client (ProbotOctokit: REST, paginate, config plugin). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export type RepoRef = { owner: string; repo: string };

export const fullName = (r: RepoRef) => `${r.owner}/${r.repo}`;
