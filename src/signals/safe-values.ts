import { SAFE_VALUE } from "../config/repo-config.js";

/**
 * Values that go into SQL, PromQL, Cypher or ES|QL come from the repo config or the operator,
 * never from an issue, a PR or an LLM; still, each is checked here, right before the query is
 * built, so that no quoting character can ever reach a query string.
 */
export class UnsafeValueError extends Error {
  constructor(what: string, value: string) {
    super(`refused unsafe ${what} ${JSON.stringify(value.slice(0, 60))}: only letters, digits and _ . : / - are allowed`);
    this.name = "UnsafeValueError";
  }
}

export function safe(value: string, what: string): string {
  if (!SAFE_VALUE.test(value)) throw new UnsafeValueError(what, value);
  return value;
}

/** A PromQL label matcher list `a="x",b="y"` from safe names and values. */
export function promSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) throw new UnsafeValueError("label name", k);
      return `${k}="${safe(v, "label value")}"`;
    })
    .join(",");
}

/** A single-quoted SQL literal of a safe value (the pattern admits no quote to escape). */
export const sqlLiteral = (value: string, what: string) => `'${safe(value, what)}'`;

/** A double-quoted ES|QL / Cypher string of a safe value. */
export const quoted = (value: string, what: string) => `"${safe(value, what)}"`;
