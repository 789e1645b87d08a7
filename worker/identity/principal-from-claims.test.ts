import { describe, expect, it } from 'vitest';
import { principalKey } from './principal.ts';
import { claimAt, groupsFrom, principalFromClaims } from './principal-from-claims.ts';
import { issuerConfig } from './testing/fake-idp.ts';

describe('claimAt', () => {
  const claims = {
    realm_access: { roles: ['a'] },
    'https://corp.example/groups': ['b'],
    list: [{ x: 1 }],
  };

  it('follows a dotted path into nested objects', () => {
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['a']);
  });

  it('prefers a claim whose whole name is the path', () => {
    expect(claimAt(claims, 'https://corp.example/groups')).toEqual(['b']);
  });

  it.each(['missing', 'realm_access.missing', 'realm_access.roles.0', 'list.0.x'])(
    'finds nothing at %s',
    (path) => {
      expect(claimAt(claims, path)).toBeUndefined();
    },
  );

  it.each(['__proto__', 'constructor', 'realm_access.__proto__.toString', 'toString'])(
    'never reads inherited properties (%s)',
    (path) => {
      expect(claimAt(claims, path)).toBeUndefined();
    },
  );
});

describe('groupsFrom', () => {
  it.each([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    ['solo', ['solo']],
    [
      ['a', 1, null, 'b', 'a', ''],
      ['a', 'b'],
    ],
    [42, []],
    [{ a: 1 }, []],
    [null, []],
    [undefined, []],
    ['', []],
  ])('turns %j into %j', (value, expected) => {
    expect(groupsFrom(value)).toEqual(expected);
  });
});

describe('principalFromClaims', () => {
  const issuer = issuerConfig({ id: 'corp' });

  it('refuses a token without the configured subject claim', () => {
    const custom = issuerConfig({
      id: 'corp',
      claims: { subject: 'oid', email: 'email', groups: 'groups', groupsPrefix: '' },
    });
    expect(principalFromClaims(custom, { sub: 'x' })).toMatchObject({
      ok: false,
      reason: 'missing_claim',
    });
  });

  it('refuses a subject that is not a string', () => {
    expect(principalFromClaims(issuer, { sub: 12 as unknown as string })).toMatchObject({
      ok: false,
      reason: 'claim_invalid',
    });
  });

  it('ignores an email that is not a string', () => {
    const result = principalFromClaims(issuer, { sub: 'x', email: ['a@b.c'] });
    expect(result.ok && result.principal.email).toBeUndefined();
  });
});

describe('principalKey', () => {
  it('is determined by issuer and subject, never by email', () => {
    const base = { issuer: 'https://a', subject: 's', email: 'same@example.com' };
    const sameSubjectOtherEmail = { ...base, email: 'other@example.com' };
    expect(principalKey(base)).toBe(principalKey(sameSubjectOtherEmail));
    expect(principalKey(base)).not.toBe(principalKey({ ...base, subject: 't' }));
  });

  it('does not collide when the separator appears inside a part', () => {
    expect(principalKey({ issuer: 'a', subject: 'b|c' })).not.toBe(
      principalKey({ issuer: 'a|b', subject: 'c' }),
    );
    expect(principalKey({ issuer: 'a","b', subject: 'c' })).not.toBe(
      principalKey({ issuer: 'a', subject: 'b","c' }),
    );
  });
});
