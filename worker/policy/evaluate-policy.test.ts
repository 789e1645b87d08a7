import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { namespaceSchema, type NamespaceConfig } from '../config/schema.ts';
import type { Principal } from '../identity/principal.ts';
import { DEFAULT_DENY_RULE, evaluatePolicy } from './evaluate-policy.ts';

function principal(groups: string[], subject = 'user-1'): Principal {
  return {
    issuerId: 'idp',
    issuer: 'https://idp.example',
    subject,
    email: `${subject}@example.test`,
    groups,
    tokenId: undefined,
    issuedAt: undefined,
  };
}

function namespace(rules: unknown[], extra: Record<string, unknown> = {}): NamespaceConfig {
  return namespaceSchema.parse({
    id: 'ns',
    pathPrefix: '/ns',
    upstream: { origin: 'http://origin.test' },
    resources: ['/traces/:id'],
    policy: { rules },
    ...extra,
  });
}

const read = (groups: string[], path = '/traces/t1', method = 'GET') => ({
  principal: principal(groups),
  method,
  path,
  resourceId: path.startsWith('/traces/') ? path.slice('/traces/'.length) : null,
});

describe('evaluatePolicy', () => {
  it('denies by default, naming the implicit default rule', () => {
    expect(evaluatePolicy(namespace([]), read(['anyone']))).toEqual({
      outcome: 'deny',
      ruleId: DEFAULT_DENY_RULE,
    });
  });

  it('lets the first matching rule decide, in file order', () => {
    const ns = namespace([
      { id: 'deny-contractors', match: { groups: ['contractor'] }, outcome: 'deny' },
      { id: 'staff-read', match: { groups: ['staff', 'contractor'] }, outcome: 'allow' },
    ]);
    expect(evaluatePolicy(ns, read(['contractor', 'staff'])).ruleId).toBe('deny-contractors');
    expect(evaluatePolicy(ns, read(['staff']))).toMatchObject({
      outcome: 'allow',
      ruleId: 'staff-read',
    });
  });

  it('requires every given condition of a rule to match', () => {
    const ns = namespace([
      {
        id: 'narrow',
        match: { groups: ['staff'], methods: ['GET'], paths: ['/traces/:id'], resources: ['t1'] },
        outcome: 'allow',
      },
    ]);
    expect(evaluatePolicy(ns, read(['staff'])).outcome).toBe('allow');
    expect(evaluatePolicy(ns, read(['other'])).outcome).toBe('deny');
    expect(evaluatePolicy(ns, read(['staff'], '/traces/t1', 'POST')).outcome).toBe('deny');
    expect(evaluatePolicy(ns, read(['staff'], '/traces/t2')).outcome).toBe('deny');
    expect(evaluatePolicy(ns, read(['staff'], '/export')).outcome).toBe('deny');
  });

  it('tells reads that name a trace from reads that name none (namesTrace)', () => {
    const ns = namespace([
      { id: 'no-listing', match: { namesTrace: false }, outcome: 'block', message: 'One trace.' },
      { id: 'one-trace', match: { namesTrace: true, groups: ['staff'] }, outcome: 'allow' },
    ]);
    expect(evaluatePolicy(ns, read(['staff'], '/traces/t1')).ruleId).toBe('one-trace');
    expect(evaluatePolicy(ns, read(['staff'], '/traces'))).toMatchObject({
      outcome: 'block',
      ruleId: 'no-listing',
    });
    expect(evaluatePolicy(ns, read(['other'], '/traces/t1')).outcome).toBe('deny');
  });

  it('matches subjects as issuer id and sub, never a sub alone', () => {
    const ns = namespace([
      { id: 'by-issuer-sub', match: { subjects: ['idp:bob'] }, outcome: 'allow' },
    ]);
    const as = (subject: string, issuerId = 'idp') => ({
      ...read([]),
      principal: { ...principal([], subject), issuerId },
    });
    expect(evaluatePolicy(ns, as('bob')).ruleId).toBe('by-issuer-sub');
    // The same sub at another issuer, and a sub spelled like the pinned entry, are someone else.
    expect(evaluatePolicy(ns, as('bob', 'partner')).outcome).toBe('deny');
    expect(evaluatePolicy(ns, as('idp:bob', 'partner')).outcome).toBe('deny');
    expect(evaluatePolicy(ns, as('mallory')).outcome).toBe('deny');
  });

  it('returns the block message of a block rule', () => {
    const ns = namespace([
      { id: 'no-export', match: {}, outcome: 'block', message: 'No exports.' },
    ]);
    expect(evaluatePolicy(ns, read([]))).toEqual({
      outcome: 'block',
      ruleId: 'no-export',
      message: 'No exports.',
    });
  });

  it('never allows a principal whose groups match no allow rule (property)', () => {
    const ns = namespace([{ id: 'staff-read', match: { groups: ['staff'] }, outcome: 'allow' }]);
    fc.assert(
      fc.property(
        fc.array(fc.string().filter((g) => g !== 'staff')),
        fc.string(),
        (groups, tail) => {
          const decision = evaluatePolicy(ns, read(groups, `/traces/${encodeURIComponent(tail)}`));
          expect(decision.outcome).toBe('deny');
        },
      ),
    );
  });
});
