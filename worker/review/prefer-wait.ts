// The `wait` preference of a `Prefer` header (RFC 7240): how long a caller
// is willing to be held for a synchronous answer.
//
// RFC 7240 §2: preferences are a comma-separated list of
// `token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )`, where word is a
// token or a quoted-string; names are case-insensitive; when a preference
// appears more than once only the first counts; and a preference the server
// does not understand, or a malformed one, is ignored (§2, §3: "servers ...
// MUST ignore ... unrecognized or malformed"). §4.3: `wait` is delta-seconds.
// So a bad header never fails a read: it just means "do not wait".

/** Headers longer than this are not parsed (and so do not ask for a wait). */
const MAX_PREFER_LENGTH = 2048;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DELTA_SECONDS = /^[0-9]{1,10}$/;

/** Splits on `sep` outside quoted strings (quotes and backslash escapes are kept). */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text.charAt(i + 1);
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unquote(word: string): string | null {
  if (!word.startsWith('"')) return TOKEN.test(word) ? word : null;
  if (word.length < 2 || !word.endsWith('"')) return null;
  return word.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** The preferences in order of first appearance, names lower-cased; malformed ones left out. */
export function parsePrefer(header: string | null): Map<string, string | null> {
  const preferences = new Map<string, string | null>();
  const seen = new Set<string>();
  if (header === null || header.length > MAX_PREFER_LENGTH) return preferences;
  for (const element of splitOutsideQuotes(header, ',')) {
    const [preference = ''] = splitOutsideQuotes(element, ';');
    const eq = preference.indexOf('=');
    const name = (eq === -1 ? preference : preference.slice(0, eq)).trim().toLowerCase();
    // Only the first instance of a name counts, even when that one is malformed.
    if (!TOKEN.test(name) || seen.has(name)) continue;
    seen.add(name);
    if (eq === -1) {
      preferences.set(name, null);
      continue;
    }
    const value = unquote(preference.slice(eq + 1).trim());
    if (value !== null) preferences.set(name, value);
  }
  return preferences;
}

/** Seconds to hold the caller: the `wait` preference capped at `maxSeconds`, or 0. */
export function preferredWaitSeconds(header: string | null, maxSeconds: number): number {
  const wait = parsePrefer(header).get('wait');
  if (wait === undefined || wait === null || !DELTA_SECONDS.test(wait)) return 0;
  return Math.min(Number(wait), Math.max(0, maxSeconds));
}
