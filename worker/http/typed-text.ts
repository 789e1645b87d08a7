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

export function hasMisleadingCharacters(text: string): boolean {
  return MISLEADING.test(text.replace(HARMLESS, ' '));
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
