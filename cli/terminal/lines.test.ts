import { describe, expect, it } from 'vitest';
import type { ReviewStatus } from '../../sdk/index.ts';
import { createDisplay } from './display.ts';
import { pendingHeader, pendingLine, pendingLogLine, progressLine } from './lines.ts';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function status(overrides: Partial<ReviewStatus> = {}): ReviewStatus {
  return {
    accessRequestId: 'ar_123',
    status: 'pending',
    reviewUrl: 'https://gw.example/review/ar_123',
    expiresAt: NOW + 872_000,
    approvals: 1,
    approvalsRequired: 2,
    reviewerGroups: ['trace-reviewers'],
    notified: [],
    decisions: [],
    denyReason: undefined,
    requester: undefined,
    namespace: undefined,
    method: undefined,
    path: undefined,
    resourceId: undefined,
    justification: undefined,
    ruleId: undefined,
    createdAt: undefined,
    grantExpiresAt: undefined,
    raw: {},
    ...overrides,
  };
}

describe('the pending status line', () => {
  it('shows the spinner, request id, approvals, time left, time waited and reviewers', () => {
    expect(pendingLine(status(), NOW, 12_000, 0)).toBe(
      '⠋ review pending · ar_123 · approvals 1/2 · expires in 14m 32s · waited 12s · reviewers: trace-reviewers',
    );
  });

  it('names who was notified when the gateway says, over the reviewer groups', () => {
    expect(
      pendingLine(status({ notified: ['#trace-reviews', 'bob@example.com'] }), NOW, 0, 1),
    ).toContain(
      '⠙ review pending · ar_123 · approvals 1/2 · expires in 14m 32s · waited 0s · notified: #trace-reviews, bob@example.com',
    );
  });

  it('never passes control characters from the server to the terminal', () => {
    const line = pendingLine(
      status({ accessRequestId: 'ar_\x1b[2Jx', notified: ['a\nb'] }),
      NOW,
      0,
      0,
    );
    const controls = [...line].filter((c) => (c.codePointAt(0) ?? 0) < 0x20);
    expect(controls).toEqual([]);
  });

  it('has a header with the review link and a plain log form', () => {
    expect(pendingHeader(status())).toEqual([
      'Review required: access request ar_123',
      '  review at: https://gw.example/review/ar_123',
      '  reviewers: trace-reviewers',
    ]);
    expect(pendingLogLine(status(), NOW)).toBe(
      'review pending: access request ar_123, approvals 1/2, expires in 14m 32s, reviewers: trace-reviewers, review at https://gw.example/review/ar_123',
    );
  });
});

describe('the progress line', () => {
  it('shows bytes, percentage of a known length, rate and elapsed time', () => {
    expect(progressLine(5 * 1024 * 1024, 20 * 1024 * 1024, 2_000)).toBe(
      '↓ 5.0 MiB · 25% of 20 MiB · 2.5 MiB/s · elapsed 2s',
    );
  });
  it('leaves the percentage out when the length is unknown', () => {
    expect(progressLine(1536, undefined, 1_000)).toBe('↓ 1.5 KiB · 1.5 KiB/s · elapsed 1s');
  });
});

describe('the live display', () => {
  it('redraws one line in place, cut to the terminal width, and clears it at the end', () => {
    const written: string[] = [];
    const display = createDisplay(
      { write: (t) => written.push(t) > 0, isTTY: true, columns: 40 },
      { quiet: false, now: () => NOW },
    );
    display.review(status());
    display.stop();
    const output = written.join('');
    expect(output).toContain('Review required: access request ar_123\n');
    const live = output.split('\r\x1b[2K').filter((part) => part.startsWith('⠋'));
    expect(live.length).toBeGreaterThan(0);
    for (const line of live) expect([...line].length).toBeLessThanOrEqual(39);
    expect(output.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('is silent with --quiet, and writes no escapes when stderr is not a terminal', () => {
    const quiet: string[] = [];
    createDisplay({ write: (t) => quiet.push(t) > 0, isTTY: true }, { quiet: true }).review(
      status(),
    );
    expect(quiet).toEqual([]);
    const plain: string[] = [];
    const display = createDisplay(
      { write: (t) => plain.push(t) > 0, isTTY: false },
      { quiet: false, now: () => NOW },
    );
    display.review(status());
    display.review(status());
    display.review(
      status({
        approvals: 2,
        status: 'approved',
        decisions: [{ reviewer: 'bob', decision: 'approve', reason: undefined, at: NOW }],
      }),
    );
    expect(plain).toEqual([
      'tracegate: review pending: access request ar_123, approvals 1/2, expires in 14m 32s, reviewers: trace-reviewers, review at https://gw.example/review/ar_123\n',
      'tracegate: Approved by bob; reading the trace\n',
    ]);
  });
});
