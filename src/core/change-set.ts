/** One changed file of a pull request or a local diff. */
export type FileChange = {
  path: string;
  /** For renames, where it came from. */
  previousPath?: string;
  status: "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  /** Unified diff of the file; absent for binary or very large files (GitHub omits it). */
  patch?: string;
};

/** What a change is: its files and where it comes from. */
export type ChangeSet = {
  /** `acme/api#42`, or `local:<path>` for the CLI. */
  ref: string;
  title?: string;
  author?: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  files: FileChange[];
  /** Files GitHub or git did not list (a PR over GitHub's 3,000-file limit). */
  filesNotListed: number;
  /** Total files the change touches, as the source reports it. */
  changedFiles: number;
};
