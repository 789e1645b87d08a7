// What a grant opens: each condition of grantCovers on its own, and the scope
// key that decides which pending request a new read reuses.
import { describe, expect, it } from 'vitest';
import {
  grantCovers,
  methodClass,
  narrowScope,
  scopeKey,
  type GrantLike,
  type ReadScope,
} from './grant-scope.ts';

const NOW = 1_000_000;
const grant: GrantLike = {
  granteeIssuer: 'https://idp.test',
  granteeSubject: 'alice',
  namespace: 'lf',
  ruleId: 'review-traces',
  scope: 'trace',
  method: 'GET',
  path: '/api/public/traces/t1',
  resourceId: 't1',
  expiresAt: NOW + 60_000,
};
const read: ReadScope = {
  issuer: 'https://idp.test',
  subject: 'alice',
  namespace: 'lf',
  ruleId: 'review-traces',
  method: 'GET',
  path: '/api/public/traces/t1',
  resourceId: 't1',
};

describe('grantCovers', () => {
  it('covers the read it was granted for until it expires', () => {
    expect(grantCovers(grant, read, NOW)).toBe(true);
    expect(grantCovers(grant, read, NOW + 59_999)).toBe(true);
    expect(grantCovers(grant, read, NOW + 60_000)).toBe(false);
  });

  it('never covers another principal, including the same subject at another issuer', () => {
    expect(grantCovers(grant, { ...read, subject: 'bob' }, NOW)).toBe(false);
    expect(grantCovers(grant, { ...read, issuer: 'https://evil.test' }, NOW)).toBe(false);
  });

  it('never covers another namespace or a read another rule sends to review', () => {
    expect(grantCovers(grant, { ...read, namespace: 'other' }, NOW)).toBe(false);
    expect(grantCovers(grant, { ...read, ruleId: 'stricter-rule' }, NOW)).toBe(false);
  });

  it('treats HEAD as GET and every other method as different', () => {
    expect(grantCovers(grant, { ...read, method: 'HEAD' }, NOW)).toBe(true);
    expect(grantCovers(grant, { ...read, method: 'DELETE' }, NOW)).toBe(false);
    expect(methodClass('head')).toBe('GET');
  });

  it('opens the same trace on any path under a trace grant, and no other trace', () => {
    expect(grantCovers(grant, { ...read, path: '/api/public/traces/t1/observations' }, NOW)).toBe(
      true,
    );
    expect(
      grantCovers(grant, { ...read, resourceId: 't2', path: '/api/public/traces/t2' }, NOW),
    ).toBe(false);
    expect(grantCovers(grant, { ...read, resourceId: null, path: '/x' }, NOW)).toBe(false);
    expect(grantCovers({ ...grant, resourceId: null }, { ...read, resourceId: null }, NOW)).toBe(
      false,
    );
  });

  it('opens only the same path under a request grant', () => {
    const request = { ...grant, scope: 'request' };
    expect(grantCovers(request, read, NOW)).toBe(true);
    expect(grantCovers(request, { ...read, path: '/api/public/traces/t1/observations' }, NOW)).toBe(
      false,
    );
  });

  it('opens any path of the namespace under a namespace grant', () => {
    const namespace = { ...grant, scope: 'namespace' };
    expect(grantCovers(namespace, { ...read, path: '/anything', resourceId: null }, NOW)).toBe(
      true,
    );
  });

  it('opens nothing for a scope it does not know', () => {
    expect(grantCovers({ ...grant, scope: 'everything' }, read, NOW)).toBe(false);
  });
});

describe('scopes and scope keys', () => {
  it('narrows a trace scope to the request when the read names no trace', () => {
    expect(narrowScope('trace', null)).toBe('request');
    expect(narrowScope('trace', 't1')).toBe('trace');
    expect(narrowScope('namespace', null)).toBe('namespace');
  });

  it('gives reads that a grant would cover alike the same key, and others different ones', () => {
    const key = (scope: 'request' | 'trace' | 'namespace', change: Partial<ReadScope> = {}) =>
      scopeKey(scope, { ...read, ...change });
    expect(key('trace', { path: '/api/public/traces/t1/x' })).toBe(key('trace'));
    expect(key('trace', { resourceId: 't2' })).not.toBe(key('trace'));
    expect(key('request', { path: '/api/public/traces/t1/x' })).not.toBe(key('request'));
    expect(key('namespace', { path: '/x', resourceId: null })).toBe(key('namespace'));
    expect(key('trace', { method: 'HEAD' })).toBe(key('trace'));
    expect(key('trace', { ruleId: 'other' })).not.toBe(key('trace'));
  });
});
