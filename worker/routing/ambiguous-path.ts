// A path the trace store could read as another path than the one the policy
// was decided on.
//
// The gateway decides on decoded segments (path-template.ts), so `%2F` inside
// a segment is part of a trace id, and it forwards the path as received. A
// store, or a proxy in front of it, may decode `%2F` or `%5C` into a
// separator and then resolve `..`; Tomcat-style servers cut path parameters
// off each segment (`/api/public/traces;x` is the listing, `..;` is `..`);
// C-based servers may stop at an encoded NUL, and each server repairs broken
// percent-encoding its own way; servers that merge slashes read
// `/api//public/traces` as the listing that a rule for `/api/public/traces`
// (which `//` does not match) may block. Any of those turns a read the policy
// allowed (`/traces/..%2F..%2Fadmin`, "trace ../../admin") into a read of
// another endpoint with the gateway's own store credential. So do servers
// that decode twice (`%252F` is `%2F`, then `/`), Windows servers that strip
// a trailing "." or " " from a segment (`/traces.` is the listing), and
// servers that normalise Unicode or fold case beyond ASCII (fullwidth
// `ｔｒａｃｅｓ`, the long s in `ſ`, the dotless `ı` that upper-cases to `I`).
// Such paths are refused before the policy is asked. (The URL parser has
// already resolved plain and percent-encoded `.` and `..` segments.)

const ENCODED_SEPARATOR = /%2f|%5c/i;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
const DOT_SEGMENT_WITH_PARAMETERS = /^\.\.?;/;
const STILL_ENCODED = /%[0-9a-f]{2}/i;
const STRIPPED_TAIL = /[. ]$/;
// Characters whose NFKC form or case folding could differ: anything beyond ASCII.
// eslint-disable-next-line no-control-regex -- the range is everything outside ASCII
const NON_ASCII = /[^\u0000-\u007f]/;

/** Why the path below a namespace prefix is ambiguous, or null when it is not. */
export function ambiguousPathReason(relativePath: string): string | null {
  if (ENCODED_SEPARATOR.test(relativePath)) return 'an encoded "/" or "\\"';
  if (relativePath.includes('//')) return 'an empty segment ("//")';
  if (relativePath.includes(';')) return 'a ";" (path parameters, which some servers cut off)';
  for (const segment of relativePath.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'malformed percent-encoding'; // each store repairs it its own way, or not at all
    }
    if (CONTROL.test(decoded)) return 'a control character';
    // Also when written %2E or %3B, for a store that decodes before it cuts.
    if (DOT_SEGMENT_WITH_PARAMETERS.test(decoded)) return 'a ".." or "." segment with parameters';
    if (STILL_ENCODED.test(decoded)) return 'percent-encoding that decodes twice ("%25" and hex)';
    if (STRIPPED_TAIL.test(decoded))
      return 'a segment ending in "." or " ", which some servers strip';
    if (NON_ASCII.test(decoded) && foldsToAnother(decoded))
      return 'characters that Unicode normalisation or case folding turns into others';
  }
  return null;
}

/**
 * True when a server that applies NFKC, or compares case-insensitively
 * through upper case, could read the segment as different letters than the
 * ones it has (`ｔ` is `t`, `ſ` is `s`, `ı` is `i`, `ß` is `ss`). Scripts
 * without compatibility forms or case (CJK, Arabic, ...), and letters whose
 * cases map back and forth (`ü`/`Ü`), pass.
 */
function foldsToAnother(segment: string): boolean {
  if (segment.normalize('NFKC') !== segment) return true;
  const lower = segment.toLowerCase();
  return (
    segment.toUpperCase().toLowerCase() !== lower || lower.toUpperCase() !== segment.toUpperCase()
  );
}
