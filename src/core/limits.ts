/** GitHub's size limits for what Insight writes. */
export const LIMITS = {
  /** Issue and pull request comment bodies. */
  comment: 65_536,
  /** Check run output.summary and output.text. */
  checkText: 65_535,
  /** Check run annotations per create/update request. */
  annotationsPerRequest: 50,
  /** Check run output.title. */
  checkTitle: 255,
} as const;

/**
 * Cuts markdown to `limit` characters, at a line boundary where possible, closing an open code
 * fence and `<details>` blocks so the rest of the page still renders, and saying that it was cut.
 */
export function truncateMarkdown(text: string, limit: number, note = "… (cut to fit GitHub's size limit)"): string {
  if (text.length <= limit) return text;
  const reserve = note.length + 64;
  let cut = text.slice(0, Math.max(0, limit - reserve));
  const lastNewline = cut.lastIndexOf("\n");
  if (lastNewline > cut.length / 2) cut = cut.slice(0, lastNewline);
  const fences = (cut.match(/^```/gm) ?? []).length;
  const opened = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  let tail = fences % 2 === 1 ? "\n```" : "";
  tail += "\n</details>".repeat(Math.max(0, opened));
  return `${cut}${tail}\n\n${note}`;
}
