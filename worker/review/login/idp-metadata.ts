// The sign-in issuer's endpoints, from OpenID Connect Discovery, cached per isolate.
//
// oauth4webapi fetches `/.well-known/openid-configuration` and checks that the
// document's `issuer` is exactly the configured one (Discovery §4.3), so a
// misconfigured or spoofed document is refused. A successful result is kept
// for `DISCOVERY_TTL_MS`; a failure is not cached, so the next sign-in retries.
// The cache holds the parsed document, never an in-flight promise: on Workers
// a request must not wait on I/O started by another request, so two cold
// sign-ins at once simply fetch twice.
// Plain http is allowed only for a loopback issuer (the local development IdP).
import {
  allowInsecureRequests,
  customFetch,
  discoveryRequest,
  processDiscoveryResponse,
  type AuthorizationServer,
} from 'oauth4webapi';

export const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const TIMEOUT_MS = 5000;

export type IdpFetch = typeof fetch;

interface CachedMetadata {
  fetchedAt: number;
  metadata: AuthorizationServer;
}

const defaultCache = new Map<string, CachedMetadata>();
const cachesByFetch = new WeakMap<IdpFetch, Map<string, CachedMetadata>>();

/** Options every oauth4webapi request to the IdP carries: transport, timeout, http on loopback. */
export function idpRequestOptions(issuer: string, fetchImpl: IdpFetch | undefined) {
  return {
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
    ...(isLoopbackHttp(issuer) ? { [allowInsecureRequests]: true } : {}),
    ...(fetchImpl === undefined
      ? {}
      : { [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) }),
  };
}

export async function idpMetadata(
  issuer: string,
  fetchImpl: IdpFetch | undefined,
  now: number = Date.now(),
): Promise<AuthorizationServer> {
  const cache = cacheFor(fetchImpl);
  const cached = cache.get(issuer);
  if (cached !== undefined && now - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.metadata;
  const issuerUrl = new URL(issuer);
  const response = await discoveryRequest(issuerUrl, idpRequestOptions(issuer, fetchImpl));
  const metadata = await processDiscoveryResponse(issuerUrl, response);
  cache.set(issuer, { fetchedAt: now, metadata });
  return metadata;
}

function cacheFor(fetchImpl: IdpFetch | undefined): Map<string, CachedMetadata> {
  if (fetchImpl === undefined) return defaultCache;
  let cache = cachesByFetch.get(fetchImpl);
  if (cache === undefined) {
    cache = new Map();
    cachesByFetch.set(fetchImpl, cache);
  }
  return cache;
}

function isLoopbackHttp(issuer: string): boolean {
  const url = new URL(issuer);
  return (
    url.protocol === 'http:' &&
    (url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]')
  );
}
