// Text people type for other people to read (justifications, review reasons,
// trace ids shown to reviewers) and text that must survive storage as is.

/**
 * Characters refused in text one person writes for another to read: control
 * characters (tab aside), format characters (bidirectional overrides and
 * isolates, zero-width characters, Unicode tag characters that can hide
 * instructions from a person), line and paragraph separators, and lone
 * surrogates. They can make what a reviewer sees differ from what was sent,
 * or forge lines in a page, a chat message or a terminal. The zero-width
 * joiner stays allowed: emoji sequences need it.
 */
const MISLEADING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const HARMLESS = /[\t\u200d]/g;
/**
 * Prose (a justification, a reason) may also hold what writing systems need:
 * the zero-width non-joiner (Persian, Urdu, Indic scripts) and the direction
 * marks LRM, RLM and ALM (Hebrew and Arabic input inserts them). A mark acts
 * like one invisible letter of its direction; unlike an embedding, override
 * or isolate it cannot reverse a run, and the pages show prose in an element
 * of its own direction, so it cannot reorder the text around it.
 */
const HARMLESS_IN_PROSE = /[\t\u200c-\u200f\u061c]/g; // non-joiner, joiner, LRM, RLM; ALM

/** For identifiers shown to a person (a trace id): every invisible character counts. */
export function hasMisleadingCharacters(text: string): boolean {
  return MISLEADING.test(text.replace(HARMLESS, ' '));
}

/** What hasMisleadingProse refuses, for error messages. */
export const PROSE_RULE =
  'no control, invisible or bidirectional-override characters and no line separators ' +
  '(joiners and direction marks are fine).';

/** For prose one person writes for another: as above, but the joiners and direction marks pass. */
export function hasMisleadingProse(text: string): boolean {
  return MISLEADING.test(text.replace(HARMLESS_IN_PROSE, ' '));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The text with every lone surrogate replaced by U+FFFD, as a store that
 * holds UTF-8 would do on its own. Done before a value is MACed, so that
 * what is stored is what was signed.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
