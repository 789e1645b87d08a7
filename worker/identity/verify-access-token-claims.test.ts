import { beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../http/errors.ts';
import { base64url, signToken } from './testing/fake-idp.ts';
import {
  corp,
  corpClaims,
  createTwoIssuerKeys,
  expectFailure,
  NOW,
  partner,
  twoIssuerVerifier,
  type TwoIssuerKeys,
} from './testing/two-issuers.ts';
import { createTokenVerifier, identityErrorCode } from './verify-access-token.ts';

let keys: TwoIssuerKeys;
beforeAll(async () => {
  keys = await createTwoIssuerKeys();
});

describe('claims are enforced', () => {
  it('a wrong audience is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(
      await verify(await signToken(keys.corpKey, corpClaims({ aud: 'other' }))),
      'wrong_audience',
    );
  });

  it('a token without the typ the issuer marks access tokens with is refused (RFC 9068)', async () => {
    const typed = { ...corp, tokenType: 'at+jwt' };
    const { verify } = twoIssuerVerifier(keys, [typed, partner]);
    const claims = corpClaims();
    // An ID token, or any other JWT of the issuer, with the right audience.
    for (const typ of [undefined, 'JWT', 'id_token+jwt']) {
      const token = await signToken(keys.corpKey, claims, typ === undefined ? {} : { typ });
      expectFailure(await verify(token), 'wrong_token_type');
    }
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
      const result = await verify(await signToken(keys.corpKey, claims, { typ }));
      expect(result.ok, typ).toBe(true);
    }
    // Without tokenType, the header is not checked.
    const { verify: plain } = twoIssuerVerifier(keys);
    expect((await plain(await signToken(keys.corpKey, claims, { typ: 'JWT' }))).ok).toBe(true);
  });

  it('an expired token is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(
      await verify(await signToken(keys.corpKey, corpClaims({ exp: NOW - 31 }))),
      'expired',
    );
  });

  it('a token before its nbf is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(
      await verify(await signToken(keys.corpKey, corpClaims({ nbf: NOW + 120 }))),
      'not_yet_valid',
    );
  });

  it.each(['sub', 'exp', 'aud', 'iat'])('a token without %s is refused', async (claim) => {
    const { verify } = twoIssuerVerifier(keys);
    const claims = corpClaims();
    delete claims[claim];
    expectFailure(await verify(await signToken(keys.corpKey, claims)), 'missing_claim');
  });

  it('a token issued longer ago than maxTokenAge is refused even before its exp', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const old = corpClaims({ iat: NOW - 3600 - 31, exp: NOW + 600 });
    expectFailure(await verify(await signToken(keys.corpKey, old)), 'token_too_old');
  });

  it('a token issued in the future is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(
      await verify(await signToken(keys.corpKey, corpClaims({ iat: NOW + 600 }))),
      'claim_invalid',
    );
  });

  it('an exp that is not a number is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const result = await verify(
      await signToken(keys.corpKey, corpClaims({ exp: 'tomorrow' as unknown as number })),
    );
    expectFailure(result, 'claim_invalid');
  });

  it('an empty configured subject claim is refused', async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(
      await verify(await signToken(keys.corpKey, corpClaims({ sub: '' }))),
      'claim_invalid',
    );
  });
});

describe('a token that cannot be parsed is refused without any key fetch', () => {
  const header = base64url(JSON.stringify({ alg: 'RS256', kid: 'corp-1' }));
  const payload = base64url(JSON.stringify({ iss: 'https://corp.idp.test', sub: 'x' }));
  it.each([
    ['has two parts', `${header}.${payload}`],
    ['has five parts (a JWE)', `${header}.${payload}.a.b.c`],
    ['has a payload that is not base64url', `${header}.%%%.sig`],
    ['has a payload that is not JSON', `${header}.${base64url('{"iss":')}.sig`],
    ['has a header that is not JSON', `${base64url('alg')}.${payload}.sig`],
    ['has a payload that is a JSON array', `${header}.${base64url('[1]')}.sig`],
  ])('a token that %s is malformed', async (_label, token) => {
    const { verifier, idp } = twoIssuerVerifier(keys);
    expectFailure(await verifier.verify(`Bearer ${token}`), 'malformed');
    expect(idp.calls()).toBe(0);
  });

  it('an oversized token is refused unparsed', async () => {
    const { verify, idp } = twoIssuerVerifier(keys, undefined, 1024);
    expectFailure(await verify('x'.repeat(1025)), 'too_large');
    expect(idp.calls()).toBe(0);
  });

  it('a request without an Authorization header is unauthenticated', async () => {
    const { verifier } = twoIssuerVerifier(keys);
    expectFailure(await verifier.verify(null), 'missing');
  });

  it('a Basic credential is malformed', async () => {
    const { verifier } = twoIssuerVerifier(keys);
    expectFailure(await verifier.verify('Basic dXNlcjpwYXNz'), 'malformed');
  });
});

describe('identityErrorCode', () => {
  it('maps a missing token to unauthenticated, an unreachable IdP to 503, and all else to invalid_token', () => {
    expect(identityErrorCode('missing')).toBe('unauthenticated');
    expect(describeError(identityErrorCode('idp_unavailable')).status).toBe(503);
    for (const reason of [
      'alg_not_allowed',
      'bad_signature',
      'expired',
      'unknown_issuer',
    ] as const) {
      expect(identityErrorCode(reason)).toBe('invalid_token');
      expect(describeError(identityErrorCode(reason)).status).toBe(401);
    }
  });
});

describe('createTokenVerifier', () => {
  it('refuses a configuration with the same issuer twice', () => {
    expect(() => createTokenVerifier([corp, { ...partner, issuer: corp.issuer }])).toThrow(
      TypeError,
    );
  });
});
