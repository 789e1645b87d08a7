// Defence in depth for form posts, on top of the CSRF token: a browser tells
// us where a POST comes from (`Origin`, RFC 6454 §7; `Sec-Fetch-Site`, Fetch
// Metadata), and a post from another site is refused before anything else.
// A client that sends neither (curl, a script) still needs a valid token.
//
// `Origin: null` needs care. The review pages are served with
// `Referrer-Policy: no-referrer`, and under that policy browsers send
// `Origin: null` on their own same-origin form posts (Fetch, "serializing a
// request origin"). A sandboxed frame or a data: URL also sends `null`, but its
// `Sec-Fetch-Site` is `cross-site`. So `null` passes only together with
// `Sec-Fetch-Site: same-origin`, a header page script cannot set.

export type SameOriginResult = { ok: true } | { ok: false; reason: string };

export function checkSameOrigin(headers: Headers, expectedOrigin: string): SameOriginResult {
  const origin = headers.get('origin');
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return { ok: false, reason: `sec-fetch-site ${site.slice(0, 20)}` };
  }
  if (origin === 'null') {
    return site === 'same-origin'
      ? { ok: true }
      : { ok: false, reason: 'origin null without sec-fetch-site same-origin' };
  }
  if (origin !== null && origin !== expectedOrigin) {
    return { ok: false, reason: `origin ${origin.slice(0, 100)} is not ${expectedOrigin}` };
  }
  return { ok: true };
}
