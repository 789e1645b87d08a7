// The access request state machine, without I/O: every transition from every
// state, the refusals, and a property test that interleaves approvals, denies,
// cancels and expiry around the deadline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actor,
  requestInit,
  type InitOverrides,
} from '../worker/review/testing/review-fixtures.ts';
import type { Actor } from './access-request-contract.ts';
import {
  MAX_REASON_CHARS,
  approvalCount,
  cancel,
  createState,
  decide,
  settle,
  toView,
  type AccessRequestState,
} from './access-request-state.ts';

const T0 = Date.UTC(2030, 0, 1);
const TTL_MS = 600_000;
const alice = actor('alice', ['requester']);
const bob = actor('bob', ['reviewer']);
const carol = actor('carol', ['reviewer']);
const dave = actor('dave', ['auditor']);

function pending(init: InitOverrides = {}): AccessRequestState {
  return createState('req-1', requestInit({ requester: alice, ...init }), T0).state;
}

/** A two-approval request that bob approved at T0. */
function bobApprovedOneOfTwo() {
  return decide(pending({ review: { approvals: 2 } }), bob, 'approve', { reason: null }, T0);
}

function inStatus(status: 'approved' | 'denied' | 'expired' | 'cancelled'): AccessRequestState {
  const start = pending();
  switch (status) {
    case 'approved':
      return decide(start, bob, 'approve', { reason: null }, T0 + 1).state;
    case 'denied':
      return decide(start, bob, 'deny', { reason: 'no' }, T0 + 1).state;
    case 'expired':
      return settle(start, T0 + TTL_MS).state;
    case 'cancelled':
      return cancel(start, alice, T0 + 1).state;
  }
}

describe('creating a request', () => {
  it('starts pending with its deadline at the pending TTL and a created event', () => {
    const step = createState('req-1', requestInit({ requester: alice }), T0);
    expect(step.state).toMatchObject({
      status: 'pending',
      createdAt: T0,
      expiresAt: T0 + TTL_MS,
      decidedAt: null,
      decisions: [],
      grant: null,
    });
    expect(step.events).toEqual([{ kind: 'created' }]);
  });

  it('trims the justification, cuts it at the limit and treats a blank one as none', () => {
    const long = createState('r', requestInit({ justification: `  ${'x'.repeat(5000)} ` }), T0);
    expect(long.state.init.justification).toHaveLength(MAX_REASON_CHARS);
    const blank = createState('r', requestInit({ justification: '   ' }), T0);
    expect(blank.state.init.justification).toBeNull();
  });
});

describe('expiry', () => {
  it('leaves a pending request alone before its deadline', () => {
    const state = pending();
    expect(settle(state, T0 + TTL_MS - 1)).toEqual({ state, events: [] });
  });

  it('expires a pending request at its deadline, dated at the deadline', () => {
    const step = settle(pending(), T0 + TTL_MS + 5000);
    expect(step.state).toMatchObject({ status: 'expired', decidedAt: T0 + TTL_MS });
    expect(step.events).toEqual([{ kind: 'expired' }]);
  });

  it.each(['approved', 'denied', 'cancelled'] as const)(
    'never expires a request that is %s',
    (status) => {
      const state = inStatus(status);
      expect(settle(state, T0 + 100 * TTL_MS)).toEqual({ state, events: [] });
    },
  );
});

describe('approving', () => {
  it('approves a one-approval rule and grants the rule scope for the capped TTL', () => {
    const step = decide(pending(), bob, 'approve', { reason: 'ok' }, T0 + 10);
    expect(step.ok).toBe(true);
    expect(step.state).toMatchObject({ status: 'approved', decidedAt: T0 + 10 });
    expect(step.state.grant).toEqual({
      scope: 'trace',
      namespace: 'lf',
      method: 'GET',
      path: '/api/public/traces/t1',
      resourceId: 't1',
      grantee: alice,
      expiresAt: T0 + 10 + 3600_000,
    });
    expect(step.events.map((e) => e.kind)).toEqual(['decision', 'approved']);
  });

  it('lets the approver shorten the grant, never lengthen it past the cap', () => {
    const shorter = decide(pending(), bob, 'approve', { reason: null, grantTtlSeconds: 60 }, T0);
    expect(shorter.state.grant?.expiresAt).toBe(T0 + 60_000);
    const longer = decide(pending(), bob, 'approve', { reason: null, grantTtlSeconds: 1e9 }, T0);
    expect(longer.state.grant?.expiresAt).toBe(T0 + 3600_000);
    const nullPick = decide(pending(), bob, 'approve', { reason: null, grantTtlSeconds: null }, T0);
    expect(nullPick.state.grant?.expiresAt).toBe(T0 + 3600_000);
  });

  it('takes the shortest duration any approver picked on a two-approval rule', () => {
    const first = decide(
      pending({ review: { approvals: 2 } }),
      bob,
      'approve',
      { reason: null, grantTtlSeconds: 120 },
      T0,
    );
    const second = decide(first.state, carol, 'approve', { reason: null }, T0 + 1000);
    expect(second.state.grant?.expiresAt).toBe(T0 + 1000 + 120_000);
  });

  it('counts one reviewer in two reviewer groups once on a two-approval rule', () => {
    const both = actor('bob', ['reviewer', 'security']);
    const state = pending({ review: { approvals: 2, reviewerGroups: ['reviewer', 'security'] } });
    const first = decide(state, both, 'approve', { reason: null }, T0 + 1);
    const again = decide(first.state, both, 'approve', { reason: null }, T0 + 2);
    expect(again.ok).toBe(true);
    expect(again.state.status).toBe('pending');
    expect(approvalCount(again.state)).toBe(1);
    const other = decide(again.state, carol, 'approve', { reason: null }, T0 + 3);
    expect(other.state.status).toBe('approved');
  });

  it('treats a repeated approval as a success that changes nothing', () => {
    const first = bobApprovedOneOfTwo();
    const again = decide(first.state, bob, 'approve', { reason: null }, T0 + 5);
    expect(again).toEqual({ ok: true, state: first.state, events: [] });
    const approved = decide(pending(), bob, 'approve', { reason: null }, T0);
    const afterwards = decide(approved.state, bob, 'approve', { reason: null }, T0 + 5);
    expect(afterwards).toEqual({ ok: true, state: approved.state, events: [] });
  });

  it('keeps a reviewer to their first decision', () => {
    const first = bobApprovedOneOfTwo();
    const flip = decide(first.state, bob, 'deny', { reason: 'changed my mind' }, T0 + 5);
    expect(flip).toMatchObject({ ok: false, reason: 'already_decided_by_reviewer' });
    expect(flip.state).toBe(first.state);
  });

  it('narrows a trace grant to the request when the read names no trace', () => {
    const state = pending({ resourceId: null, path: '/api/public/sessions' });
    const step = decide(state, bob, 'approve', { reason: null }, T0);
    expect(step.state.grant?.scope).toBe('request');
  });
});

describe('refusals', () => {
  it('refuses self-approval, even by a requester who is also a reviewer', () => {
    const erin = actor('erin', ['requester', 'reviewer']);
    const state = createState('r', requestInit({ requester: erin }), T0).state;
    const step = decide(state, erin, 'approve', { reason: null }, T0 + 1);
    expect(step).toMatchObject({ ok: false, reason: 'self_approval' });
    expect(step.state).toBe(state);
    expect(step.events).toEqual([
      { kind: 'refused', reviewer: erin, decision: 'approve', reason: 'self_approval' },
    ]);
  });

  it('tells people apart by issuer and subject: the same subject from another issuer is not the requester', () => {
    const otherAlice: Actor = {
      ...actor('alice', ['reviewer']),
      issuer: 'https://other.test',
      email: 'another.alice@example.test',
    };
    const step = decide(pending(), otherAlice, 'approve', { reason: null }, T0 + 1);
    expect(step.ok).toBe(true);
  });

  it('refuses self-approval under another subject or issuer that carries the requester email', () => {
    // Pairwise subjects (one `sub` per client) or a second account at another issuer.
    const pairwise: Actor = {
      ...actor('alice-pairwise', ['reviewer']),
      email: ' Alice@Example.TEST',
    };
    const elsewhere: Actor = { ...pairwise, issuer: 'https://other.test' };
    for (const reviewer of [pairwise, elsewhere]) {
      const step = decide(pending(), reviewer, 'approve', { reason: null }, T0 + 1);
      expect(step).toMatchObject({ ok: false, reason: 'self_approval' });
      expect(step.state.status).toBe('pending');
    }
  });

  it('does not take a missing email for a match', () => {
    const anonymous = (subject: string, groups: string[]): Actor => ({
      ...actor(subject, groups),
      email: undefined,
    });
    const state = createState(
      'r',
      requestInit({ requester: anonymous('ann', ['requester']) }),
      T0,
    ).state;
    for (const reviewer of [anonymous('ben', ['reviewer']), { ...bob, email: '' }]) {
      expect(decide(state, reviewer, 'approve', { reason: null }, T0 + 1).ok).toBe(true);
    }
  });

  it('counts one email address once: a second subject with it cannot add an approval', () => {
    const first = bobApprovedOneOfTwo();
    const bobAgain: Actor = { ...actor('bob-pairwise', ['reviewer']), email: 'BOB@example.test' };
    const step = decide(first.state, bobAgain, 'approve', { reason: null }, T0 + 1);
    expect(step).toMatchObject({ ok: false, reason: 'already_decided_by_reviewer' });
    expect(step.state.status).toBe('pending');
    expect(approvalCount(step.state)).toBe(1);
    expect(decide(first.state, carol, 'approve', { reason: null }, T0 + 1).state.status).toBe(
      'approved',
    );
  });

  it('refuses a decision from someone in no reviewer group', () => {
    for (const who of [dave, actor('mallory', [])]) {
      const step = decide(pending(), who, 'approve', { reason: null }, T0 + 1);
      expect(step).toMatchObject({ ok: false, reason: 'not_a_reviewer' });
      expect(step.state.status).toBe('pending');
    }
  });

  it('refuses a deny without a reason and leaves the request pending', () => {
    for (const reason of [null, '', '   ']) {
      const step = decide(pending(), bob, 'deny', { reason }, T0 + 1);
      expect(step).toMatchObject({ ok: false, reason: 'reason_required' });
      expect(step.state.status).toBe('pending');
    }
  });

  it('refuses an approval that arrives after the deadline, and expires the request', () => {
    const step = decide(pending(), bob, 'approve', { reason: null }, T0 + TTL_MS);
    expect(step).toMatchObject({ ok: false, reason: 'not_pending' });
    expect(step.state.status).toBe('expired');
    expect(step.state.grant).toBeNull();
    expect(step.events.map((e) => e.kind)).toEqual(['expired', 'refused']);
  });
});

describe('denying', () => {
  it('ends the request with the reviewer reason', () => {
    const step = decide(pending(), bob, 'deny', { reason: ' not for this ticket ' }, T0 + 1);
    expect(step.ok).toBe(true);
    expect(step.state).toMatchObject({ status: 'denied', denyReason: 'not for this ticket' });
    expect(step.events.map((e) => e.kind)).toEqual(['decision', 'denied']);
  });

  it('vetoes a two-approval rule even after one approval', () => {
    const first = bobApprovedOneOfTwo();
    const veto = decide(first.state, carol, 'deny', { reason: 'no' }, T0 + 1);
    expect(veto.state.status).toBe('denied');
    expect(veto.state.grant).toBeNull();
  });
});

describe('every decision on a request that is no longer pending', () => {
  const finals = ['approved', 'denied', 'expired', 'cancelled'] as const;
  const commands = [
    [
      'a new approval',
      (s: AccessRequestState) => decide(s, carol, 'approve', { reason: null }, T0 + 2),
    ],
    ['a new deny', (s: AccessRequestState) => decide(s, carol, 'deny', { reason: 'no' }, T0 + 2)],
  ] as const;
  for (const status of finals) {
    for (const [name, command] of commands) {
      it(`refuses ${name} on a request that is ${status}, changing nothing`, () => {
        const state = inStatus(status);
        const step = command(state);
        expect(step).toMatchObject({ ok: false, reason: 'not_pending' });
        expect(step.state).toEqual(state);
      });
    }
  }
  it('still refuses self-approval and non-reviewers first, whatever the status', () => {
    for (const status of finals) {
      expect(decide(inStatus(status), alice, 'approve', { reason: null }, T0 + 2)).toMatchObject({
        reason: 'self_approval',
      });
      expect(decide(inStatus(status), dave, 'approve', { reason: null }, T0 + 2)).toMatchObject({
        reason: 'not_a_reviewer',
      });
    }
  });
});

describe('cancelling', () => {
  it('lets the requester cancel a pending request', () => {
    const step = cancel(pending(), alice, T0 + 1);
    expect(step.ok).toBe(true);
    expect(step.state).toMatchObject({ status: 'cancelled', decidedAt: T0 + 1 });
    expect(step.events).toEqual([{ kind: 'cancelled' }]);
  });

  it('refuses a cancel by anyone else, reviewers included', () => {
    for (const who of [bob, dave, { ...alice, issuer: 'https://other.test' }]) {
      expect(cancel(pending(), who, T0 + 1)).toMatchObject({ ok: false, reason: 'not_requester' });
    }
  });

  it('is idempotent on a cancelled request and refused on the other final states', () => {
    const cancelled = inStatus('cancelled');
    expect(cancel(cancelled, alice, T0 + 2)).toEqual({ ok: true, state: cancelled, events: [] });
    for (const status of ['approved', 'denied', 'expired'] as const) {
      expect(cancel(inStatus(status), alice, T0 + 2)).toMatchObject({
        ok: false,
        reason: 'not_pending',
      });
    }
  });

  it('refuses a cancel after the deadline, and reports the expiry', () => {
    const step = cancel(pending(), alice, T0 + TTL_MS);
    expect(step).toMatchObject({ ok: false, reason: 'not_pending' });
    expect(step.events).toEqual([{ kind: 'expired' }]);
  });
});

describe('the view', () => {
  it('shows decisions without the internal grant picks', () => {
    const step = decide(pending(), bob, 'approve', { reason: 'ok', grantTtlSeconds: 60 }, T0 + 1);
    const view = toView(step.state);
    expect(view.decisions).toEqual([
      { reviewer: bob, decision: 'approve', reason: 'ok', at: T0 + 1 },
    ]);
    expect(view).toMatchObject({ id: 'req-1', approvalsRequired: 1, reviewerGroups: ['reviewer'] });
  });
});

describe('interleavings around the deadline (property)', () => {
  const people = [alice, bob, carol, dave, actor('erin', ['requester', 'reviewer'])];
  const command = fc.record({
    who: fc.integer({ min: 0, max: people.length - 1 }),
    kind: fc.constantFrom('approve', 'deny', 'cancel', 'tick'),
    at: fc.integer({ min: 0, max: TTL_MS + 60_000 }),
  });

  it('approves only with enough distinct reviewers before the deadline, and never leaves a final state', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(command, { maxLength: 30 }),
        (n, cmds) => {
          let state = pending({ review: { approvals: n } });
          const ordered = [...cmds].sort((a, b) => a.at - b.at);
          for (const { who, kind, at } of ordered) {
            const person = people[who] ?? bob;
            const now = T0 + at;
            const before = state;
            const step =
              kind === 'tick'
                ? settle(state, now)
                : kind === 'cancel'
                  ? cancel(state, person, now)
                  : decide(state, person, kind, { reason: 'r' }, now);
            state = step.state;
            if (before.status !== 'pending') expect(state).toEqual(before);
            if (state.status === 'approved' && before.status === 'pending') {
              expect(now).toBeLessThan(before.expiresAt);
            }
          }
          if (state.status === 'approved') {
            const approvers = state.decisions.filter((d) => d.decision === 'approve');
            const distinct = new Set(
              approvers.map((d) => `${d.reviewer.issuer}|${d.reviewer.subject}`),
            );
            expect(distinct.size).toBe(approvers.length);
            expect(distinct.size).toBeGreaterThanOrEqual(n);
            expect(approvers.every((d) => d.reviewer.subject !== 'alice')).toBe(true);
            expect(approvers.every((d) => d.at < state.expiresAt)).toBe(true);
            expect(approvers.every((d) => d.reviewer.groups.includes('reviewer'))).toBe(true);
          }
        },
      ),
    );
  });
});
