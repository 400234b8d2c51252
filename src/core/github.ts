import type { ProbotOctokit } from "probot";

/** An authenticated installation client (ProbotOctokit: REST, paginate, config plugin). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export type RepoRef = { owner: string; repo: string };

export const fullName = (r: RepoRef) => `${r.owner}/${r.repo}`;

/** What a check run shows: title, summary, text and line annotations. */
export type CheckRunOutput = {
  title: string;
  summary: string;
  text?: string;
  annotations?: Array<{
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: "notice" | "warning" | "failure";
    message: string;
    title?: string;
  }>;
};
