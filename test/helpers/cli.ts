import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { type Cli, type CliIo, cliOf } from "../../src/cli/output.js";

export type CliRun = { code: number; stdout: string; stderr: string };

/** A CLI run's I/O into strings: `io.stdout` / `io.stderr` hold what the command printed. */
export function bufferIo(options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Cli & {
  printed: { stdout: string; stderr: string };
} {
  const printed = { stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: { write: (text: string) => (printed.stdout += text) },
    stderr: { write: (text: string) => (printed.stderr += text) },
    env: options.env ?? { PATH: process.env.PATH },
    cwd: options.cwd ?? process.cwd(),
  };
  return { ...cliOf(io), printed };
}

/**
 * Runs `insight <args>` in this process through `main(argv, io)`: a bare environment (PATH only)
 * unless `env` is given, and an empty directory as cwd unless `cwd` is given (so no `.env` of the
 * checkout is read). Never throws; returns the exit code and the output.
 */
export async function insight(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  const cwd = options.cwd ?? (await mkdtemp(join(tmpdir(), "insight-cli-cwd-")));
  try {
    const io = bufferIo({ env: options.env, cwd });
    const code = await main(args, io);
    return { code, ...io.printed };
  } finally {
    if (!options.cwd) await rm(cwd, { recursive: true, force: true });
  }
}
