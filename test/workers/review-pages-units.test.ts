// The review pages' pure parts: grant choices, the decision form, the
// same-origin check, the viewer's role, and the sealed values under them.
import { describe, expect, it } from 'vitest';
import type { AccessRequestView } from '../../durable-objects/access-request-contract.ts';
import { parseDecisionForm } from '../../worker/review/pages/decision-form.ts';
import {
  formatDuration,
  grantDurationChoices,
  isOfferedGrantDuration,
} from '../../worker/review/pages/grant-durations.ts';
import { checkSameOrigin } from '../../worker/review/pages/same-origin.ts';
import { viewerRole } from '../../worker/review/pages/viewer-role.ts';
import { openValue, sealValue } from '../../worker/session/sealed-value.ts';
import { sessionKeys } from '../../worker/session/session-keys.ts';

describe('grant duration choices', () => {
  it('never offer more than the cap, and always offer the cap', () => {
    for (const cap of [10, 900, 1000, 3600, 14_400, 86_400, 30 * 86_400]) {
      const choices = grantDurationChoices(cap);
      expect(Math.max(...choices.map((c) => c.seconds))).toBe(cap);
      expect(choices.filter((c) => c.selected)).toHaveLength(1);
      expect(isOfferedGrantDuration(cap + 1, cap)).toBe(false);
    }
  });

  it('pre-select one hour, or the cap when that is shorter', () => {
    expect(grantDurationChoices(14_400).find((c) => c.selected)?.seconds).toBe(3600);
    expect(grantDurationChoices(1800).find((c) => c.selected)?.seconds).toBe(1800);
  });

  it('read as words', () => {
    expect(formatDuration(900)).toBe('15 minutes');
    expect(formatDuration(5400)).toBe('1 hour 30 minutes');
    expect(formatDuration(3 * 86_400)).toBe('3 days');
  });
});

describe('the decision form', () => {
  const offered = (s: number) => s === 900;

  it('needs a reason to deny', () => {
    expect(parseDecisionForm({ action: 'deny', reason: ' \n ' }, offered)).toEqual({
      ok: false,
      reason: 'reason_required',
    });
    expect(parseDecisionForm({ action: 'deny', reason: ' no ' }, offered)).toEqual({
      ok: true,
      decision: { action: 'deny', reason: 'no' },
    });
  });

  it('refuses reasons that would mislead the requester or the next reviewer, and overlong ones', () => {
    for (const reason of [
      'ok \u202Edeifirev',
      'line\u2028break',
      'zero\u200Bwidth',
      'tag\u{E0041}',
    ])
      expect(parseDecisionForm({ action: 'deny', reason }, offered)).toEqual({
        ok: false,
        reason: 'reason_invalid',
      });
    // The Durable Object keeps 1000 characters: more is refused here, not cut there.
    expect(parseDecisionForm({ action: 'deny', reason: 'x'.repeat(1001) }, offered)).toEqual({
      ok: false,
      reason: 'reason_too_long',
    });
    for (const reason of ['nein 🙅‍♀️', 'لا\u200f INC-9', 'نمی\u200cخواهم'])
      expect(parseDecisionForm({ action: 'deny', reason }, offered)).toMatchObject({ ok: true });
  });

  it('takes only an offered grant duration, as a plain decimal', () => {
    for (const grantSeconds of ['901', '0900', '9e2', '900.0', ' 900', '', undefined]) {
      expect(parseDecisionForm({ action: 'approve', grantSeconds }, offered)).toEqual({
        ok: false,
        reason: 'bad_grant',
      });
    }
    expect(parseDecisionForm({ action: 'approve', grantSeconds: '900' }, offered)).toEqual({
      ok: true,
      decision: { action: 'approve', grantSeconds: 900, reason: null },
    });
  });

  it('refuses an unknown action', () => {
    expect(parseDecisionForm({ action: 'cancel' }, offered)).toEqual({
      ok: false,
      reason: 'bad_action',
    });
  });
});

describe('the same-origin check', () => {
  const check = (headers: Record<string, string>) =>
    checkSameOrigin(new Headers(headers), 'https://gw.example').ok;

  it('passes this origin, and a client that sends no browser headers', () => {
    expect(check({ origin: 'https://gw.example', 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(check({})).toBe(true);
  });

  it('refuses other origins and cross-site or same-site posts', () => {
    expect(check({ origin: 'https://evil.example' })).toBe(false);
    expect(check({ origin: 'https://gw.example.evil.example' })).toBe(false);
    expect(check({ 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(check({ 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(check({ origin: 'https://gw.example', 'sec-fetch-site': 'cross-site' })).toBe(false);
  });

  it('passes Origin null only with Sec-Fetch-Site same-origin', () => {
    expect(check({ origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(check({ origin: 'null' })).toBe(false);
    expect(check({ origin: 'null', 'sec-fetch-site': 'cross-site' })).toBe(false);
  });
});

describe('the viewer’s role', () => {
  const person = (subject: string, groups: string[], issuer = 'https://idp.test') => ({
    issuerId: 'idp',
    issuer,
    subject,
    email: `${subject}@example.test`,
    groups,
  });
  const request = (overrides: Partial<AccessRequestView> = {}): AccessRequestView => ({
    id: 'x',
    status: 'pending',
    createdAt: 0,
    expiresAt: 1,
    requester: person('erin', ['requester', 'reviewer']),
    namespace: 'ns',
    method: 'GET',
    path: '/t',
    resourceId: null,
    ruleId: 'r',
    justification: null,
    approvalsRequired: 2,
    reviewerGroups: ['reviewer'],
    decisions: [],
    grant: null,
    denyReason: null,
    reviewUrl: '',
    ...overrides,
  });

  it('makes a requester who is also a reviewer a requester, by issuer and subject', () => {
    expect(viewerRole(person('erin', ['reviewer']), request(), []).kind).toBe('requester');
    // The same subject from another issuer is someone else.
    expect(viewerRole(person('erin', ['reviewer'], 'https://other.test'), request(), []).kind).toBe(
      'reviewer',
    );
  });

  it('lets a reviewer decide once, and only while pending', () => {
    const bob = person('bob', ['reviewer']);
    expect(viewerRole(bob, request(), [])).toEqual({
      kind: 'reviewer',
      canDecide: true,
      ownDecision: undefined,
    });
    const decided = request({
      decisions: [{ reviewer: bob, decision: 'approve', reason: null, at: 0 }],
    });
    expect(viewerRole(bob, decided, [])).toMatchObject({
      canDecide: false,
      ownDecision: 'approve',
    });
    expect(viewerRole(bob, request({ status: 'expired' }), [])).toMatchObject({
      canDecide: false,
    });
  });

  it('shows outsiders nothing and auditors a read-only page', () => {
    expect(viewerRole(person('mallory', []), request(), ['auditor']).kind).toBe('outsider');
    expect(viewerRole(person('dave', ['auditor']), request(), ['auditor']).kind).toBe('auditor');
  });
});

describe('sealed values', () => {
  it('do not open under another purpose label', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: 'x'.repeat(32) });
    const sealed = await sealValue(keys.session, 'review-session', { a: 1 }, Date.now() + 60_000);
    const asLogin = await openValue(keys.session, 'login-flow', sealed, Date.now(), (v) => v);
    expect(asLogin).toEqual({ ok: false, reason: 'bad_seal' });
    const asSession = await openValue(keys.session, 'review-session', sealed, Date.now(), (v) => v);
    expect(asSession.ok).toBe(true);
  });

  it('do not open under the key derived for another purpose', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: 'y'.repeat(32) });
    const sealed = await sealValue(keys.loginFlow, 'p', { a: 1 }, Date.now() + 60_000);
    expect(await openValue(keys.session, 'p', sealed, Date.now(), (v) => v)).toEqual({
      ok: false,
      reason: 'bad_seal',
    });
  });

  it('refuse a secret shorter than 32 characters', async () => {
    await expect(sessionKeys({ SESSION_SECRET: 'short' })).rejects.toMatchObject({
      code: 'gateway_misconfigured',
    });
  });
});
