// Whether a detector's regex can be searched over a whole JSON text in place
// of each decoded string (or number) in it, as a necessary condition.
//
// A string value of a JSON text without backslashes is a substring of that
// text, delimited by `"`; a number is delimited by structure (`:` `,` `[`
// `]` `}`) or whitespace. A match inside such a substring is also a match of
// the same regex at the same position in the whole text, unless the pattern
// looks past the substring's edges: `^`, `$`, positive lookarounds (which
// fail at an edge of the substring but could pass in the text), or negative
// lookarounds that could match a delimiter (which pass at an edge but could
// fail in the text). `\b` and `\B` treat a delimiter like an edge: both are
// non-word. So when none of those occur, "no match anywhere in the text"
// implies "no match in any string of it", and the masker may pass a JSON text
// held in a string through unchanged without lexing it (json-masker.ts).
//
// The analysis is conservative: anything it does not understand is unsafe.

/** What delimits a string value or member name in JSON text. */
const STRING_DELIMITERS = ['"'];
/** What may also delimit a number. */
const NUMBER_DELIMITERS = ['"', ':', ',', '[', ']', '{', '}', ' ', '\t', '\n', '\r'];

/**
 * True when searching `source` over a whole JSON text is a sound necessary
 * condition for a match in one of its strings or member names, or also in
 * one of its numbers when `numeric` (see above).
 */
export function searchableAcrossJson(source: string, flags: string, numeric: boolean): boolean {
  const delimiters = numeric ? NUMBER_DELIMITERS : STRING_DELIMITERS;
  const atomFlags = flags.replace(/[gyd]/g, '');
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i = skipClass(source, i);
      if (i < 0) return false;
    } else if (c === '^' || c === '$') {
      return false;
    } else if (source.startsWith('(?=', i) || source.startsWith('(?<=', i)) {
      return false;
    } else if (source.startsWith('(?!', i) || source.startsWith('(?<!', i)) {
      const start = i + (source[i + 2] === '!' ? 3 : 4);
      const end = closingParen(source, start);
      if (end < 0 || !delimiterFree(source.slice(start, end), atomFlags, delimiters)) return false;
      i = end + 1;
    } else i++;
  }
  return true;
}

/** Index just after the character class starting at `at`, or -1. */
function skipClass(source: string, at: number): number {
  let i = at + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === ']') return i + 1;
    else i++;
  }
  return -1;
}

/** The `)` closing a lookaround whose content starts at `start`, when it holds no group; else -1. */
function closingParen(source: string, start: number): number {
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === '[') {
      i = skipClass(source, i);
      if (i < 0) return -1;
    } else if (c === '(') return -1;
    else if (c === ')') return i;
    else i++;
  }
  return -1;
}

/** No atom of the lookaround content can match a delimiter (nor is there an anchor or a dot). */
function delimiterFree(content: string, flags: string, delimiters: readonly string[]): boolean {
  let i = 0;
  while (i < content.length) {
    const c = content[i] ?? '';
    let atom: string;
    if (c === '\\') {
      const next = content[i + 1] ?? '';
      if (next === 'b' || next === 'B') {
        i += 2;
        continue;
      }
      if (!/^[wWdDsS.\-+*?()[\]{}|/\\^$,:;"'=!<>~#%&@`]$/.test(next)) return false;
      atom = content.slice(i, i + 2);
      i += 2;
    } else if (c === '[') {
      const end = skipClass(content, i);
      if (end < 0) return false;
      atom = content.slice(i, end);
      i = end;
    } else if (c === '|') {
      i++;
      continue;
    } else if (c === '?' || c === '*' || c === '+' || c === '{') {
      // Quantifiers only repeat an atom already checked; a `{` that is not one is a literal.
      const quantifier = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/.exec(content.slice(i));
      if (quantifier !== null) {
        i += quantifier[0].length;
        continue;
      }
      atom = '\\{';
      i++;
    } else if (c === '.' || c === '^' || c === '$' || c === '(' || c === ')') {
      return false;
    } else {
      atom = /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
      i++;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(`^${atom}$`, flags);
    } catch {
      return false;
    }
    if (delimiters.some((d) => regex.test(d))) return false;
  }
  return true;
}
