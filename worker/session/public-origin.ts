// The gateway's public origin, which decides the cookies' `Secure` flag and
// which `Origin` a form post must come from.
//
// PUBLIC_URL is the configured truth (the Worker may sit behind a proxy that
// rewrites the Host); the request URL is the fallback when it is unset. A
// PUBLIC_URL that is set but is not an http(s) URL is a configuration error:
// falling back would quietly drop `Secure` from the cookies behind a proxy.
import { GatewayError } from '../http/errors.ts';

export interface PublicOrigin {
  origin: string;
  /** https: cookies get `Secure` and the `__Host-` prefix. Plain http only in local development. */
  secure: boolean;
}

export function publicOrigin(env: object, requestUrl: string): PublicOrigin {
  const configured: unknown = Reflect.get(env, 'PUBLIC_URL');
  if (configured === undefined || configured === '') return originOf(new URL(requestUrl));
  const url =
    typeof configured === 'string' && URL.canParse(configured) ? new URL(configured) : null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new GatewayError('gateway_misconfigured', {
      cause: new Error('PUBLIC_URL is set but is not an http(s) URL'),
    });
  }
  return originOf(url);
}

function originOf(url: URL): PublicOrigin {
  return { origin: url.origin, secure: url.protocol === 'https:' };
}
