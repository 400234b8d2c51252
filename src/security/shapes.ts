/**
 * Shape checks for text that leaves the organisation (capsules): an allowlist of what a value may
 * look like, applied after redaction, so that a secret no detector knows (a new vendor's token, a
 * random password) is still refused by its shape rather than waited for in a denylist.
 */

/**
 * A word that looks like a key rather than language or code: 20+ characters of a token alphabet
 * with at least three digits and a letter, or 32+ with upper case, lower case and a digit.
 */
const TOKEN_RUN = /[A-Za-z0-9+_=-]{20,}/g;

export function isTokenLike(word: string): boolean {
  const digits = word.match(/\d/g)?.length ?? 0;
  if (!/[A-Za-z]/.test(word)) return false;
  return digits >= 3 || (word.length >= 32 && /[A-Z]/.test(word) && /[a-z]/.test(word) && digits >= 1);
}

/** Text with every token-like word, URL and earlier mask replaced by `…`, and control characters dropped. */
export function maskTokenLike(text: string): string {
  return (
    text
      .replace(/\b[a-z][a-z0-9+.-]{1,20}:\/\/\S+/gi, "…")
      .replace(/\[REDACTED:[a-z0-9-]+\]/g, "…")
      .replace(TOKEN_RUN, (w) => (isTokenLike(w) ? "…" : w))
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")
  );
}

/** A keyword another team's incident could share: an error template, an alert name, a reason — words, not data. */
const KEYWORD_SHAPE = /^[A-Za-z][A-Za-z0-9 _.,:;'"()<>*=+%-]{2,199}$/;

export function isKeywordShape(text: string): boolean {
  return KEYWORD_SHAPE.test(text) && !/@|:\/\//.test(text) && !text.split(/\s+/).some(isTokenLike);
}

/** A repository path: plain segments, no `..`, no scheme. */
export const isPathShape = (path: string) =>
  /^[A-Za-z0-9_.@+-]+(?:\/[A-Za-z0-9_.@+-]+){0,30}$/.test(path) && !path.split("/").includes("..") && path.length <= 200;
