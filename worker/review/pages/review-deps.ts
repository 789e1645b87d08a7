// What the review UI needs from the gateway, resolved once when the app is built.
//
// The sign-in settings are checked against the issuer list here as well as by
// the config schema, so a hand-built config in a test cannot slip past.
import type { GatewayConfig, IssuerConfig, ReviewLoginConfig } from '../../config/schema.ts';
import { accessRequestClient, type AccessRequestClient } from './access-request-client.ts';

export interface ReviewOptions {
  config: GatewayConfig;
  now: () => number;
  /** Transport for the sign-in calls to the IdP (discovery, token); a test seam. */
  idpFetch?: typeof fetch;
  /** Transport for JWKS fetches, shared with the API's token verifier; a test seam. */
  jwksFetch?: typeof fetch;
  /** How to reach the access requests; the ACCESS_REQUESTS Durable Objects by default. */
  accessRequests?: (env: Env) => AccessRequestClient;
}

export interface ReviewLogin {
  settings: ReviewLoginConfig;
  issuer: IssuerConfig;
}

export interface ReviewDeps {
  config: GatewayConfig;
  now: () => number;
  idpFetch: typeof fetch | undefined;
  jwksFetch: typeof fetch | undefined;
  accessRequests: (env: Env) => AccessRequestClient;
  /** Undefined when `gateway.reviewLogin` is not configured: pages are then read-only. */
  login: ReviewLogin | undefined;
}

export function resolveReviewDeps(options: ReviewOptions): ReviewDeps {
  const settings = options.config.gateway.reviewLogin;
  let login: ReviewLogin | undefined;
  if (settings !== undefined) {
    const issuer = options.config.issuers.find((i) => i.id === settings.issuer);
    if (issuer === undefined) {
      throw new TypeError(`gateway.reviewLogin.issuer: unknown issuer id "${settings.issuer}"`);
    }
    login = { settings, issuer };
  }
  return {
    config: options.config,
    now: options.now,
    idpFetch: options.idpFetch,
    jwksFetch: options.jwksFetch,
    accessRequests: options.accessRequests ?? ((env) => accessRequestClient(env.ACCESS_REQUESTS)),
    login,
  };
}

/** The rule's grant cap, from the configuration the request was created under. */
export function grantCapSeconds(config: GatewayConfig, namespace: string, ruleId: string): number {
  const rule = config.namespaces
    .find((ns) => ns.id === namespace)
    ?.policy.rules.find((r) => r.id === ruleId);
  // A rule removed since the request was made: offer only the shortest grant.
  return rule?.review?.grantTtlSeconds ?? FALLBACK_GRANT_CAP_SECONDS;
}

export const FALLBACK_GRANT_CAP_SECONDS = 900;
