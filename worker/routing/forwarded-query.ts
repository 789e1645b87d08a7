// The query string a read may send to the trace store.
//
// The policy decides on the method and the path; the query goes to the store
// with the gateway's own credential. A store may read a parameter as another
// trace (`?traceId=…`), as another method (`?_method=DELETE` behind
// method-override middleware) or as a filter that widens a listing. So a
// namespace lists the parameter names it forwards (`query.allow`), and a read
// with any other name is refused before the policy is asked.
//
// Parsers disagree on query strings too: some split on ";" as well as "&",
// some decode "+" as a space and some do not, some decode twice. The gateway
// parses the query once (application/x-www-form-urlencoded, as URLSearchParams
// does), checks the names it found, and sends the store those pairs again
// with every reserved character percent-encoded (`encodeURIComponent`): a ";"
// in a value reaches the store as `%3B`, a space as `%20`, a "+" as `%2B`. What
// the store parses is then what the gateway checked, whichever of those rules
// it follows.

export type QueryAllowList = readonly string[] | '*';

export type ForwardedQuery =
  | { ok: true; /** `?a=1&b=2`, or `''` for none. */ search: string }
  | { ok: false; /** The names not on the list, each at most once, in order. */ refused: string[] };

/** Names beyond this many are not listed in a refusal (the caller controls them). */
const MAX_LISTED_NAMES = 5;
const MAX_LISTED_NAME_CHARS = 64;

export function forwardedQuery(search: string, allow: QueryAllowList): ForwardedQuery {
  const params = new URLSearchParams(search);
  const refused = new Set<string>();
  const pairs: string[] = [];
  for (const [name, value] of params) {
    if (allow !== '*' && !allow.includes(name)) {
      refused.add(name);
      continue;
    }
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  if (refused.size > 0) return { ok: false, refused: [...refused] };
  return { ok: true, search: pairs.length === 0 ? '' : `?${pairs.join('&')}` };
}

/** The refused names for a message: quoted, shortened, at most a few. */
export function describeRefusedNames(names: readonly string[]): string {
  const listed = names
    .slice(0, MAX_LISTED_NAMES)
    .map((name) =>
      JSON.stringify(
        name.length > MAX_LISTED_NAME_CHARS ? `${name.slice(0, MAX_LISTED_NAME_CHARS)}…` : name,
      ),
    );
  const more = names.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

/** Query parameter names whose values are replaced by "[REDACTED]" where the query is shown or kept. */
const CREDENTIAL_PARAM =
  /(token|secret|password|passwd|pwd|auth|key|signature|sig|credential|session|cookie)/i;

/**
 * The query with credential-like values replaced, encoded as the store is
 * sent it: audit rows, recordings and notifications keep this form.
 */
export function redactedQuery(search: string): string {
  const pairs: string[] = [];
  for (const [name, value] of new URLSearchParams(search)) {
    const kept = CREDENTIAL_PARAM.test(name) ? '[REDACTED]' : value;
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(kept)}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** A path with its query (`/traces?a=1`), the query redacted as by redactedQuery. */
export function redactedPath(pathWithQuery: string): string {
  const at = pathWithQuery.indexOf('?');
  if (at < 0) return pathWithQuery;
  return `${pathWithQuery.slice(0, at)}${redactedQuery(pathWithQuery.slice(at))}`;
}
