import { resolve } from "node:path";

/** Where a CLI run writes and what it reads: the real process's, or a test's buffers and environment. */
export type CliIo = {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The environment the command reads (and `.env` fills): `process.env` for the real binary. */
  env: Record<string, string | undefined>;
  /** The directory relative paths (--repo, --config, files, `.env`) are read from. */
  cwd: string;
};

/** One CLI run's I/O as the commands use it: stdout for results, stderr for problems; no colours. */
export type Cli = CliIo & {
  out(text?: string): void;
  err(text: string): void;
  /** `path` resolved against the run's `cwd`. */
  path(path: string): string;
};

export function cliOf(io: CliIo): Cli {
  return {
    ...io,
    out: (text = "") => void io.stdout.write(`${text}\n`),
    err: (text) => void io.stderr.write(`${text}\n`),
    path: (path) => resolve(io.cwd, path),
  };
}

/** The real process's streams, environment and directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export const ok = (flag: boolean) => (flag ? "✅" : "❌");
