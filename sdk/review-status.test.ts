import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';
import { parseReviewStatus } from './review-status.ts';
import { readPath } from './read-trace.ts';

describe('parseReviewStatus', () => {
  it('reads a 202 body, with expiresAt as RFC 3339', () => {
    const status = parseReviewStatus({
      id: 'ar_1',
      status: 'pending',
      reviewUrl: 'https://gw/review/ar_1',
      expiresAt: '2026-11-24T12:15:00Z',
      approvalsRequired: 2,
      approvals: 0,
    });
    expect(status).toMatchObject({
      accessRequestId: 'ar_1',
      status: 'pending',
      approvals: 0,
      approvalsRequired: 2,
    });
    expect(status?.expiresAt).toBe(Date.UTC(2026, 10, 24, 12, 15));
  });

  it('reads a status view: approvals from decisions, reviewers by email, epoch-ms times', () => {
    const status = parseReviewStatus({
      id: 'ar_1',
      status: 'denied',
      expiresAt: 1_800_000_000_000,
      requester: { issuer: 'i', subject: 's', email: 'alice@example.com', groups: [] },
      decisions: [
        {
          reviewer: { subject: 'b', email: 'bob@example.com' },
          decision: 'approve',
          reason: null,
          at: 1,
        },
        { reviewer: { subject: 'c' }, decision: 'deny', reason: 'no', at: 2 },
        { reviewer: 'x', decision: 'maybe' },
      ],
      denyReason: 'no',
      grant: null,
    });
    expect(status).toMatchObject({
      approvals: 1,
      requester: 'alice@example.com',
      denyReason: 'no',
      expiresAt: 1_800_000_000_000,
    });
    expect(status?.decisions.map((d) => d.reviewer)).toEqual(['bob@example.com', 'c']);
  });

  it('rejects a document without an id or with an unknown status', () => {
    expect(parseReviewStatus({ status: 'pending' })).toBeUndefined();
    expect(parseReviewStatus({ id: 'x', status: 'thinking' })).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)', () => {
    const now = Date.UTC(2026, 10, 24, 12, 0, 0);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('readPath', () => {
  it('builds namespace + template paths, escaping the trace id', () => {
    expect(readPath({ namespace: 'langfuse', traceId: 'a b/c' })).toBe(
      '/langfuse/api/public/traces/a%20b%2Fc',
    );
    expect(
      readPath({ namespace: '/otlp/', traceId: 't', tracePath: '/sse/traces/{traceId}' }),
    ).toBe('/otlp/sse/traces/t');
    expect(readPath({ path: '/x/y' })).toBe('/x/y');
  });
  it('refuses ambiguous or incomplete input', () => {
    expect(() => readPath({ path: '/x', namespace: 'n' })).toThrow(TypeError);
    expect(() => readPath({ namespace: 'n' })).toThrow('traceId');
    expect(() => readPath({})).toThrow(TypeError);
  });
});
