// Step 1c: each trusted issuer's signing keys, cached per isolate.
//
// jose's remote key set does the caching: keys are fetched once, refetched
// after `cacheMaxAge`, and refetched on an unknown `kid` at most once per
// `cooldown`. This file wraps the fetch it uses (jose's `customFetch` option)
// to add what jose leaves out:
//
// - Stale keys while the IdP is down. The last good JWKS body is remembered;
//   when a refetch fails (network error, timeout, non-200, not a JWKS) that
//   body is served again, so tokens signed by known keys keep verifying. A
//   `kid` that is unknown even to the stale keys still fails. Only for
//   `maxStaleSeconds` after the last good fetch, though: a key the IdP has
//   revoked must not verify forever because the IdP stays unreachable, so
//   past that the keys are unavailable (503), as with a cold cache.
// - A cold cache with the IdP down is a distinct error (JwksUnavailableError),
//   which the verifier maps to 503 `idp_unavailable`: never an allow, and not a
//   401 that would tell a client its valid token is bad. After a failed fetch
//   with nothing cached, requests within the cooldown get that error at once
//   instead of each starting a fetch (and waiting up to timeoutMs): anyone
//   can send a token naming a trusted issuer, so a cold, down IdP must not
//   turn every such request into an outbound call.
// - One refetch per cooldown even under a concurrent burst. jose deduplicates
//   in-flight fetches except on Workers (a promise cannot be shared across
//   requests there), so fifty requests with unknown kids would otherwise start
//   fifty fetches. A refetch requested within the cooldown of the last network
//   attempt is answered with the last good body instead.
//
// The cooldown clock is Date.now, the same clock jose uses for its cache age.
import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { IssuerConfig } from '../config/schema.ts';

/** The keys could not be fetched and there are no earlier keys to fall back on. */
export class JwksUnavailableError extends Error {
  readonly code = 'ERR_TRACEGATE_JWKS_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksUnavailableError';
  }
}

export interface IssuerKeys {
  /** Key resolver for jose's `jwtVerify`. */
  getKey: JWTVerifyGetKey;
  /** Why the keys in use are stale, or undefined when the last fetch succeeded. */
  staleBecause(): string | undefined;
}

interface FetchState {
  lastGoodBody: string | undefined;
  lastGoodAt: number;
  lastNetworkAttemptAt: number;
  lastFailedAt: number;
  staleBecause: string | undefined;
}

type FetchImplementation = typeof fetch;

const networkFetch: FetchImplementation = (input, init) => fetch(input, init);

// Per isolate: one cache for the real network, and one per injected fetch so
// that tests (and anything else with its own transport) never share keys.
const defaultCaches = new Map<string, IssuerKeys>();
const cachesByFetch = new WeakMap<FetchImplementation, Map<string, IssuerKeys>>();

/** The cached key set of an issuer; created on first use, then reused by the isolate. */
export function issuerKeys(issuer: IssuerConfig, fetchImpl?: FetchImplementation): IssuerKeys {
  const caches = cacheFor(fetchImpl);
  const cacheKey = JSON.stringify([
    issuer.id,
    issuer.jwksUri,
    issuer.jwks.cooldownSeconds,
    issuer.jwks.cacheMaxAgeSeconds,
    issuer.jwks.timeoutMs,
    issuer.jwks.maxStaleSeconds,
  ]);
  let keys = caches.get(cacheKey);
  if (keys === undefined) {
    keys = createIssuerKeys(issuer, fetchImpl ?? networkFetch);
    caches.set(cacheKey, keys);
  }
  return keys;
}

function cacheFor(fetchImpl: FetchImplementation | undefined): Map<string, IssuerKeys> {
  if (fetchImpl === undefined) return defaultCaches;
  let caches = cachesByFetch.get(fetchImpl);
  if (caches === undefined) {
    caches = new Map();
    cachesByFetch.set(fetchImpl, caches);
  }
  return caches;
}

function createIssuerKeys(issuer: IssuerConfig, fetchImpl: FetchImplementation): IssuerKeys {
  const cooldownMs = issuer.jwks.cooldownSeconds * 1000;
  const maxStaleMs = issuer.jwks.maxStaleSeconds * 1000;
  const state: FetchState = {
    lastGoodBody: undefined,
    lastGoodAt: Number.NEGATIVE_INFINITY,
    lastNetworkAttemptAt: Number.NEGATIVE_INFINITY,
    lastFailedAt: Number.NEGATIVE_INFINITY,
    staleBecause: undefined,
  };

  /** The last good body, unless it is too old to trust. */
  const usableStaleBody = (now: number): string | undefined =>
    now - state.lastGoodAt <= maxStaleMs ? state.lastGoodBody : undefined;

  const fetchWithFallback = async (url: string, init: RequestInit): Promise<Response> => {
    const now = Date.now();
    if (state.lastGoodBody !== undefined && now - state.lastNetworkAttemptAt < cooldownMs) {
      const recent = usableStaleBody(now);
      if (recent !== undefined) return jwksResponse(recent);
      throw tooStale(state.staleBecause ?? 'unknown');
    }
    // Nothing cached and the last fetch failed within the cooldown.
    if (state.lastGoodBody === undefined && now - state.lastFailedAt < cooldownMs) {
      throw new JwksUnavailableError(
        `JWKS fetch for issuer "${issuer.id}" failed: ${state.staleBecause ?? 'unknown'}; ` +
          `next attempt after the ${issuer.jwks.cooldownSeconds}s cooldown`,
      );
    }
    state.lastNetworkAttemptAt = now;
    let body: string;
    try {
      body = await fetchJwksBody(fetchImpl, url, init);
    } catch (error) {
      const reason = describeFailure(error);
      state.staleBecause = reason;
      state.lastFailedAt = now;
      if (state.lastGoodBody === undefined) {
        throw new JwksUnavailableError(`JWKS fetch for issuer "${issuer.id}" failed: ${reason}`, {
          cause: error,
        });
      }
      const stale = usableStaleBody(now);
      if (stale === undefined) throw tooStale(reason, error);
      return jwksResponse(stale);
    }
    state.lastGoodBody = body;
    state.lastGoodAt = now;
    state.staleBecause = undefined;
    return jwksResponse(body);
  };

  const tooStale = (reason: string, cause?: unknown): JwksUnavailableError =>
    new JwksUnavailableError(
      `JWKS fetch for issuer "${issuer.id}" failed: ${reason}; the last good keys are older ` +
        `than maxStaleSeconds=${issuer.jwks.maxStaleSeconds}`,
      { cause },
    );

  const remote = createRemoteJWKSet(new URL(issuer.jwksUri), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: issuer.jwks.cacheMaxAgeSeconds * 1000,
    timeoutDuration: issuer.jwks.timeoutMs,
    [customFetch]: fetchWithFallback,
  });
  // jose counts a reload answered with stale keys as fresh, so it would keep
  // them for another cacheMaxAge. Past maxStaleSeconds the keys are reloaded
  // before every use instead (the cooldown still bounds the network calls),
  // which fails with JwksUnavailableError until the IdP answers again.
  const getKey: JWTVerifyGetKey = async (protectedHeader, token) => {
    if (state.staleBecause !== undefined && Date.now() - state.lastGoodAt > maxStaleMs) {
      await remote.reload();
    }
    return remote(protectedHeader, token);
  };
  return { getKey, staleBecause: () => state.staleBecause };
}

/** Fetches and checks a JWKS; throws unless it is a 200 carrying a usable key set. */
async function fetchJwksBody(
  fetchImpl: FetchImplementation,
  url: string,
  init: RequestInit,
): Promise<string> {
  const response = await fetchImpl(url, init);
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const body = await response.text();
  // Same validation jose applies, done here so that a garbage answer counts as
  // a failed fetch (and falls back to stale keys) instead of replacing them.
  createLocalJWKSet(JSON.parse(body) as Parameters<typeof createLocalJWKSet>[0]);
  return body;
}

function jwksResponse(body: string): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  }
  return String(error);
}
