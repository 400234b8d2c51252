/**
 * Text Insight did not write (the model's answers, command arguments it echoes) rendered as
 * untrusted: one line of plain text that cannot pass for Insight's own. No HTML (so no hidden
 * `<!-- insight:… -->` blocks), no images (no pixel to an outside host), no @mentions or team
 * mentions (nobody is notified), no links except to GitHub and the hosts the caller allows, no
 * headings, lists, quotes, emphasis or status emoji that could imitate a section of the report
 * (such as the approvals). Citations like `[db:pg:connections]` stay as they are.
 */

const GITHUB_HOSTS = ["github.com", "gist.github.com", "docs.github.com"];

/** Invisible and direction-changing characters: they hide or reorder text. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
/** The emoji Insight's own status lines use (and look-alikes): the model's text gets none of them. */
const STATUS_EMOJI =
  /[\u2705\u2713\u2714\u2717\u2718\u2611\u274c\u2716\u26a0\u2139\u23f8\u25fb\u{1f6e0}\u{1f512}\u{1f513}\u{1f7e2}\u{1f7e1}\u{1f7e0}\u{1f534}\u{1f916}\u{1f6a8}\u{1f44d}\u{1f44e}]\ufe0f?/gu;
const URL_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>()[\]`"']+/gi;

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(/^www\./i.test(url) ? `https://${url}` : url);
    return u.protocol === "https:" && !u.username && !u.password ? u.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export type UntrustedOptions = { linkHosts?: string[] };

/** Whether a link may stay: https, no credentials, GitHub or one of the allowed hosts (exactly). */
export function allowedLink(url: string, options: UntrustedOptions = {}): boolean {
  const host = hostOf(url);
  return !!host && [...GITHUB_HOSTS, ...(options.linkHosts ?? [])].includes(host);
}

/** What stands where a link was: not its host either (a host name can be the lure). */
const removed = () => "(link removed)";

/** One line of untrusted text, safe to place after Insight's own prefix (`> `, `- `, a table cell). */
export function untrustedInline(text: string, options: UntrustedOptions = {}): string {
  const kept: string[] = [];
  const keep = (s: string) => `\u0000${kept.push(s) - 1}\u0000`;
  let t = text.replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  t = t.replace(STATUS_EMOJI, "");
  // Links and images first, while their syntax is intact: allowed links are set aside untouched.
  t = t.replace(/!\[([^\]]{0,300})\]\(([^)]{0,2000})\)/g, (_m, alt: string) => `${alt} (image removed)`);
  t = t.replace(/\[([^\]]{0,300})\]\(\s*([^)\s]{0,2000})(?:\s+"[^"]*")?\s*\)/g, (_m, label: string, url: string) =>
    allowedLink(url, options) ? keep(`[${inlineText(label)}](${url})`) : `${label} ${removed()}`,
  );
  t = t.replace(URL_TEXT, (url) => (allowedLink(url, options) ? keep(url) : removed()));
  t = inlineText(t);
  return t.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]!);
}

/** The markup-neutralising part: HTML, emphasis, mentions, headings, definitions, leading block markers. */
function inlineText(t: string): string {
  return (
    t
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/`/g, "\\`")
      .replace(/(\*\*|__|~~)/g, "")
      .replace(/!\[/g, "!\\[")
      .replace(/\]:/g, "\\]:")
      // Any `](` left is a link the first pass did not recognise (a `'title'`, `//host`, `https:host`): break it.
      .replace(/\](?=\()/g, "\\]")
      .replace(/@(?=[A-Za-z0-9])/g, "@\u200b") // a zero-width space: GitHub does not link or notify "@​name"
      .replace(/(^|\s)(#{1,6})(?=\s|$)/g, (_m, pre: string, hashes: string) => `${pre}${"\\#".repeat(hashes.length)}`)
      .replace(/^([-+*=|>]|\d{1,9}[.)])/, "\\$1")
  );
}
