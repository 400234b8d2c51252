/**
 * Hidden state in the app's own comments: a marker that finds the comment again and a JSON
 * payload (analysis id, hypotheses, approvals) that survives restarts without a database.
 * Both live in HTML comments, invisible in the rendered markdown.
 */

const KEY = /^[a-z0-9][a-z0-9:_.-]{0,80}$/;

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid metadata key: ${JSON.stringify(key)}`);
  return key;
}

/** The marker that identifies the sticky comment for `key` (e.g. `impact`, `rca`). */
export function stickyMarker(key: string): string {
  return `<!-- insight:sticky:${checkKey(key)} -->`;
}

/** Serialises `data` into a hidden block; `<` and `>` are escaped so it can never end the comment early. */
export function writeMetadata(key: string, data: unknown): string {
  const json = JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- insight:meta:${checkKey(key)} ${json} -->`;
}

/** Reads the hidden block for `key` from a comment body; undefined when absent or unreadable. */
export function readMetadata<T = unknown>(body: string | null | undefined, key: string): T | undefined {
  if (!body) return undefined;
  const start = `<!-- insight:meta:${checkKey(key)} `;
  const at = body.indexOf(start);
  if (at < 0) return undefined;
  const end = body.indexOf(" -->", at + start.length);
  if (end < 0) return undefined;
  try {
    return JSON.parse(body.slice(at + start.length, end)) as T;
  } catch {
    return undefined;
  }
}

/** True for a body written by Insight (any marker or metadata block). */
export function isInsightBody(body: string | null | undefined): boolean {
  return !!body && body.includes("<!-- insight:");
}
