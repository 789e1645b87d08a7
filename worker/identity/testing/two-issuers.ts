// Test support: two trusted issuers (RS256 "corp", ES256 "partner"), an
// attacker key that reuses corp's kid, and a verifier wired to a fake JWKS
// endpoint with a frozen clock.
import type { JWTPayload } from 'jose';
import { expect } from 'vitest';
import type { IssuerConfig } from '../../config/schema.ts';
import { createTokenVerifier, type VerifyResult } from '../verify-access-token.ts';
import { createSigningKey, fakeJwksEndpoint, issuerConfig, type SigningKey } from './fake-idp.ts';

export const NOW_MS = Date.UTC(2030, 0, 15, 12, 0, 0);
export const NOW = NOW_MS / 1000;

export const corp = issuerConfig({
  id: 'corp',
  claims: { subject: 'sub', email: 'email', groups: 'realm_access.roles', groupsPrefix: '' },
  maxTokenAgeSeconds: 3600,
});
export const partner = issuerConfig({
  id: 'partner',
  algorithms: ['ES256'],
  audiences: ['a', 'b'],
});

export interface TwoIssuerKeys {
  corpKey: SigningKey;
  partnerKey: SigningKey;
  /** Not in any JWKS, but with the same kid as corp's key. */
  attackerKey: SigningKey;
}

export async function createTwoIssuerKeys(): Promise<TwoIssuerKeys> {
  return {
    corpKey: await createSigningKey('RS256', 'corp-1'),
    partnerKey: await createSigningKey('ES256', 'partner-1'),
    attackerKey: await createSigningKey('RS256', 'corp-1'),
  };
}

/** Valid claims for corp, five minutes into a one-hour token life. */
export function corpClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: corp.issuer,
    sub: 'user-123',
    aud: 'tracegate',
    iat: NOW - 60,
    exp: NOW + 600,
    email: 'ada@example.com',
    jti: 'token-1',
    realm_access: { roles: ['requester', 'reviewer'] },
    ...overrides,
  };
}

/** Valid claims for partner (audience `a`, a minute to live). */
export function partnerClaims(overrides: JWTPayload = {}): JWTPayload {
  return { iss: partner.issuer, sub: 'p-1', aud: 'a', exp: NOW + 60, ...overrides };
}

/** A verifier for `issuers` (corp and partner by default). Call inside a test. */
export function twoIssuerVerifier(
  keys: TwoIssuerKeys,
  issuers: IssuerConfig[] = [corp, partner],
  maxTokenBytes?: number,
) {
  const idp = fakeJwksEndpoint({
    [corp.jwksUri]: [keys.corpKey],
    [partner.jwksUri]: [keys.partnerKey],
  });
  const verifier = createTokenVerifier(issuers, {
    fetch: idp.fetch,
    now: () => NOW_MS,
    ...(maxTokenBytes === undefined ? {} : { maxTokenBytes }),
  });
  const verify = (token: string) => verifier.verify(`Bearer ${token}`);
  return { idp, verifier, verify };
}

export function expectFailure(result: VerifyResult, reason: string): void {
  expect(result.ok ? 'ok' : result.reason, result.ok ? '' : result.detail).toBe(reason);
}
