/** Names Insight writes on GitHub and finds again later: one definition each. */

/** Name of Insight's own check run on pull requests. */
export const IMPACT_CHECK_NAME = "Insight / blast radius";
/** Identifier of the check run's "Re-analyze" button. */
export const REANALYZE_ACTION = "reanalyze";
/** First line of every comment that answers someone (a command, a refusal, a re-run), so Insight never answers itself. */
export const REPLY_MARKER = "<!-- insight:reply -->";

/** A reply comment's body: the marker line, then the text. */
export const replyBody = (text: string) => `${REPLY_MARKER}\n${text}`;
