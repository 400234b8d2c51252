/** Plain output for the CLI: stdout for results, stderr for problems; no colours when not a TTY. */
export const out = (text = "") => process.stdout.write(`${text}\n`);
export const err = (text: string) => process.stderr.write(`${text}\n`);
export const ok = (flag: boolean) => (flag ? "✅" : "❌");
