// Which headers cross the gateway, in each direction.
//
// Allow-lists rather than deny-lists: a security gateway forwards only what a
// trace read needs. The caller's Authorization and cookies never reach the
// trace store, and the store's cookies and credentials never reach the
// caller. Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded.

const REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'user-agent'];

/**
 * Conditional request headers: forwarded only where no masking profile
 * applies. Their validators describe the store's raw bytes, so on a masked
 * read they would let a caller test guesses about the raw trace (a 304 or
 * 412 answers "is this ETag current?") and revalidate a masked copy against
 * the raw one.
 */
const CONDITIONAL_HEADERS = [
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
];

const RESPONSE_HEADERS = [
  'content-type',
  'content-language',
  'content-disposition',
  'etag',
  'last-modified',
  'vary',
];

/** Headers for the upstream request; the credential is added separately. */
export function upstreamRequestHeaders(
  incoming: Headers,
  requestId: string,
  options: { masked: boolean },
): Headers {
  const out = new Headers();
  for (const name of options.masked
    ? REQUEST_HEADERS
    : [...REQUEST_HEADERS, ...CONDITIONAL_HEADERS]) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  // The masker needs the body as sent: ask for no content coding.
  out.set('accept-encoding', 'identity');
  out.set('x-request-id', requestId);
  return out;
}

/**
 * Headers for the caller. Content-Length and Content-Encoding are dropped
 * because the body is re-streamed (and masked); the response is never cached.
 */
export function callerResponseHeaders(upstream: Headers, requestId: string): Headers {
  const out = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.get(name);
    if (value !== null) out.set(name, value);
  }
  out.set('cache-control', 'no-store');
  out.set('x-request-id', requestId);
  return out;
}
