// The gateway's public origin, which decides the cookies' `Secure` flag and
// which `Origin` a form post must come from.
//
// PUBLIC_URL is the configured truth (the Worker may sit behind a proxy that
// rewrites the Host); the request URL is the fallback when it is unset.

export interface PublicOrigin {
  origin: string;
  /** https: cookies get `Secure` and the `__Secure-` prefix. Plain http only in local development. */
  secure: boolean;
}

export function publicOrigin(env: object, requestUrl: string): PublicOrigin {
  const configured: unknown = Reflect.get(env, 'PUBLIC_URL');
  let url: URL;
  try {
    url = new URL(typeof configured === 'string' && configured !== '' ? configured : requestUrl);
  } catch {
    url = new URL(requestUrl);
  }
  return { origin: url.origin, secure: url.protocol === 'https:' };
}
