import { beforeAll, describe, expect, it } from 'vitest';
import { principalKey } from './principal.ts';
import { hs256WithPublicKey, issuerConfig, signToken, unsecuredToken } from './testing/fake-idp.ts';
import {
  corp,
  corpClaims,
  createTwoIssuerKeys,
  expectFailure,
  NOW,
  partner,
  partnerClaims,
  twoIssuerVerifier,
  type TwoIssuerKeys,
} from './testing/two-issuers.ts';

let keys: TwoIssuerKeys;
beforeAll(async () => {
  keys = await createTwoIssuerKeys();
});

describe('a valid token', () => {
  it('yields a principal with groups from a nested claim path', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const result = await verify(await signToken(keys.corpKey, corpClaims()));
    expect(result).toEqual({
      ok: true,
      principal: {
        issuerId: 'corp',
        issuer: corp.issuer,
        subject: 'user-123',
        email: 'ada@example.com',
        groups: ['requester', 'reviewer'],
        tokenId: 'token-1',
        issuedAt: NOW - 60,
      },
    });
  });

  it('is accepted from each of two issuers, each verified with its own keys', async () => {
    const { verify, idp } = twoIssuerVerifier(keys);
    const fromCorp = await verify(await signToken(keys.corpKey, corpClaims()));
    const fromPartner = await verify(
      await signToken(keys.partnerKey, partnerClaims({ aud: ['x', 'b'] })),
    );
    expect(fromCorp.ok && fromCorp.principal.issuerId).toBe('corp');
    expect(fromPartner.ok && fromPartner.principal.issuerId).toBe('partner');
    expect(idp.calls(corp.jwksUri)).toBe(1);
    expect(idp.calls(partner.jwksUri)).toBe(1);
  });

  it('identifies the same subject from two issuers as two principals', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const a = await verify(await signToken(keys.corpKey, corpClaims({ sub: 'same' })));
    const b = await verify(await signToken(keys.partnerKey, partnerClaims({ sub: 'same' })));
    if (!a.ok || !b.ok) throw new Error('both tokens should verify');
    expect(principalKey(a.principal)).not.toBe(principalKey(b.principal));
  });

  it('is accepted within the clock tolerance after exp', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const result = await verify(await signToken(keys.corpKey, corpClaims({ exp: NOW - 10 })));
    expect(result.ok).toBe(true);
  });

  it('takes the subject, email and groups from the configured claim names', async () => {
    const custom = issuerConfig({
      id: 'corp',
      claims: {
        subject: 'oid',
        email: 'upn',
        groups: 'https://corp.example/groups',
        groupsPrefix: '',
      },
    });
    const { verify } = twoIssuerVerifier(keys, [custom]);
    const result = await verify(
      await signToken(keys.corpKey, {
        ...corpClaims(),
        oid: 'object-9',
        upn: 'ada@corp.example',
        'https://corp.example/groups': 'auditor',
      }),
    );
    expect(result.ok && result.principal).toMatchObject({
      subject: 'object-9',
      email: 'ada@corp.example',
      groups: ['auditor'],
    });
  });

  it('carries the issuer’s groupsPrefix, so another IdP’s "reviewer" is not ours', async () => {
    // A second IdP where people make their own groups: its `reviewer` must not
    // satisfy reviewerGroups: [reviewer] (nor an auditor or policy group).
    const ci = { ...partner, claims: { ...partner.claims, groupsPrefix: 'ci:' } };
    const { verify } = twoIssuerVerifier(keys, [corp, ci]);
    const result = await verify(
      await signToken(keys.partnerKey, partnerClaims({ groups: ['reviewer', 'auditor'] })),
    );
    expect(result.ok && result.principal.groups).toEqual(['ci:reviewer', 'ci:auditor']);
    const fromCorp = await verify(await signToken(keys.corpKey, corpClaims()));
    expect(fromCorp.ok && fromCorp.principal.groups).toEqual(['requester', 'reviewer']);
  });

  it('with a groups claim that is neither a string nor an array has no groups', async () => {
    const { verify } = twoIssuerVerifier(keys);
    const result = await verify(
      await signToken(keys.corpKey, corpClaims({ realm_access: { roles: 7 } })),
    );
    expect(result.ok && result.principal.groups).toEqual([]);
  });
});

describe('a forged or mis-issued token is refused', () => {
  it('alg none is refused before any key fetch', async () => {
    const { verify, idp } = twoIssuerVerifier(keys);
    expectFailure(await verify(unsecuredToken(corpClaims(), 'corp-1')), 'alg_not_allowed');
    expect(idp.calls()).toBe(0);
  });

  it.each(['pem', 'jwk'] as const)(
    'HS256 keyed with the RSA public key (%s) is refused before any key fetch',
    async (form) => {
      const { verify, idp } = twoIssuerVerifier(keys);
      expectFailure(
        await verify(await hs256WithPublicKey(keys.corpKey, corpClaims(), form)),
        'alg_not_allowed',
      );
      expect(idp.calls()).toBe(0);
    },
  );

  it('an RS256 token for an issuer pinned to ES256 is refused', async () => {
    const { verify, idp } = twoIssuerVerifier(keys);
    const rsaForPartner = await signToken(keys.corpKey, {
      iss: partner.issuer,
      sub: 'x',
      aud: 'a',
      exp: NOW + 60,
    });
    expectFailure(await verify(rsaForPartner), 'alg_not_allowed');
    expect(idp.calls()).toBe(0);
  });

  it('a token from an unknown issuer is refused before any key fetch', async () => {
    const { verify, idp } = twoIssuerVerifier(keys);
    const token = await signToken(keys.attackerKey, corpClaims({ iss: 'https://evil.example' }));
    expectFailure(await verify(token), 'unknown_issuer');
    expect(idp.calls()).toBe(0);
  });

  it('an issuer is matched exactly, not by prefix or case', async () => {
    const { verify } = twoIssuerVerifier(keys);
    for (const iss of [`${corp.issuer}/`, corp.issuer.toUpperCase(), ` ${corp.issuer}`]) {
      expectFailure(
        await verify(await signToken(keys.corpKey, corpClaims({ iss }))),
        'unknown_issuer',
      );
    }
  });

  it("a trusted iss signed by an attacker's key with a matching kid has a bad signature", async () => {
    const { verify } = twoIssuerVerifier(keys);
    expectFailure(await verify(await signToken(keys.attackerKey, corpClaims())), 'bad_signature');
  });

  it('a token signed by the other trusted issuer is refused', async () => {
    const { verify } = twoIssuerVerifier(keys, [
      corp,
      issuerConfig({ id: 'partner', algorithms: ['ES256', 'RS256'] }),
    ]);
    const crossSigned = await signToken(keys.corpKey, { ...corpClaims(), iss: partner.issuer });
    expectFailure(await verify(crossSigned), 'no_matching_key');
  });
});
