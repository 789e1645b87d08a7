// Test fixtures for the review flow: actors, review settings and access
// request inits with sensible defaults, overridable per test.
import type { NotifyTarget, ReviewSettings } from '../../config/schema.ts';
import type { AccessRequestInit, Actor } from '../../../durable-objects/access-request-contract.ts';

export const TEST_ISSUER = 'https://idp.review.test';

export function actor(subject: string, groups: string[], issuer = TEST_ISSUER): Actor {
  return { issuer, subject, email: `${subject}@example.test`, groups };
}

export function reviewSettings(overrides: Partial<ReviewSettings> = {}): ReviewSettings {
  return {
    reviewerGroups: ['reviewer'],
    approvals: 1,
    pendingTtlSeconds: 600,
    grantTtlSeconds: 3600,
    grantScope: 'trace',
    requireJustification: false,
    ...overrides,
  };
}

export type InitOverrides = Omit<Partial<AccessRequestInit>, 'review'> & {
  review?: Partial<ReviewSettings>;
};

export function requestInit(overrides: InitOverrides = {}): AccessRequestInit {
  const { review, ...rest } = overrides;
  return {
    requestId: crypto.randomUUID(),
    requester: actor('alice', ['requester']),
    namespace: 'lf',
    method: 'GET',
    path: '/api/public/traces/t1',
    requestPath: '/lf/api/public/traces/t1',
    resourceId: 't1',
    ruleId: 'review-reads',
    justification: 'incident 42',
    notify: [] as NotifyTarget[],
    reviewUrl: 'https://gateway.test/review/x',
    ...rest,
    review: reviewSettings(review),
  };
}
