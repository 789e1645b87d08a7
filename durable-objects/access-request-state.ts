// The access request state machine: pending → approved | denied | expired |
// cancelled, as pure functions of (state, command, now).
//
// No I/O and no clock of its own, so every transition can be tested
// exhaustively; the Durable Object persists what these functions return and
// turns their events into audit rows and notifications. Every command first
// settles a due expiry, so a decision that arrives after the deadline is
// refused even when the expiry alarm has not run yet (the alarm and a late
// approval can race; the deadline, not the arrival order, decides).
//
// Trade-offs: one deny ends the request (a veto), whatever the approval count;
// a reviewer counts once however many groups they are in and however often
// they send the same decision; a reviewer cannot change their mind (the first
// decision stands), which keeps the count monotonic and the audit readable.
//
// "A reviewer" is one person: someone with the requester's issuer and
// subject, or with the requester's email address, cannot decide the request;
// and a second decision from an email address that already decided is
// refused, so pairwise subjects or a second account cannot make one person
// two approvers (identity/principal.ts, shareEmail).
import { principalKey, shareEmail } from '../worker/identity/principal.ts';
import { narrowScope } from '../worker/review/grant-scope.ts';
import type {
  AccessRequestInit,
  AccessRequestStatus,
  AccessRequestView,
  Actor,
  DecideOptions,
  DecideRefusal,
  Grant,
  GrantScope,
  ReviewerDecision,
} from './access-request-contract.ts';

/** Longest reason or justification kept; longer text is cut, never rejected here. */
export const MAX_REASON_CHARS = 1000;

export interface StoredDecision extends ReviewerDecision {
  /** The grant duration this approver picked, in seconds (null: the rule's cap). */
  grantTtlSeconds: number | null;
}

export interface AccessRequestState {
  id: string;
  init: AccessRequestInit;
  status: AccessRequestStatus;
  createdAt: number;
  /** The pending deadline (createdAt + pendingTtlSeconds), milliseconds. */
  expiresAt: number;
  decidedAt: number | null;
  decisions: StoredDecision[];
  grant: Grant | null;
  denyReason: string | null;
}

/** What happened, for the audit and the notifications. */
export type StateEvent =
  | { kind: 'created' }
  | { kind: 'decision'; decision: StoredDecision }
  | { kind: 'refused'; reviewer: Actor; decision: 'approve' | 'deny'; reason: DecideRefusal }
  | { kind: 'approved'; grant: Grant }
  | { kind: 'denied'; reviewer: Actor; reason: string }
  | { kind: 'expired' }
  | { kind: 'cancelled' };

export interface Step {
  state: AccessRequestState;
  events: StateEvent[];
}

export type DecideStep = ({ ok: true } & Step) | ({ ok: false; reason: DecideRefusal } & Step);

export type CancelStep =
  ({ ok: true } & Step) | ({ ok: false; reason: 'not_pending' | 'not_requester' } & Step);

export function createState(id: string, init: AccessRequestInit, now: number): Step {
  const state: AccessRequestState = {
    id,
    init: { ...init, justification: clip(init.justification) },
    status: 'pending',
    createdAt: now,
    expiresAt: now + init.review.pendingTtlSeconds * 1000,
    decidedAt: null,
    decisions: [],
    grant: null,
    denyReason: null,
  };
  return { state, events: [{ kind: 'created' }] };
}

/** Expires a pending request whose deadline has passed; otherwise changes nothing. */
export function settle(state: AccessRequestState, now: number): Step {
  if (state.status !== 'pending' || now < state.expiresAt) return { state, events: [] };
  return {
    state: { ...state, status: 'expired', decidedAt: state.expiresAt },
    events: [{ kind: 'expired' }],
  };
}

export function decide(
  current: AccessRequestState,
  reviewer: Actor,
  decision: 'approve' | 'deny',
  options: DecideOptions,
  now: number,
): DecideStep {
  const settled = settle(current, now);
  const state = settled.state;
  const refuse = (reason: DecideRefusal): DecideStep => ({
    ok: false,
    reason,
    state,
    events: [...settled.events, { kind: 'refused', reviewer, decision, reason }],
  });

  const requester = state.init.requester;
  if (principalKey(reviewer) === principalKey(requester) || shareEmail(reviewer, requester)) {
    return refuse('self_approval');
  }
  if (!reviewer.groups.some((g) => state.init.review.reviewerGroups.includes(g))) {
    return refuse('not_a_reviewer');
  }
  const earlier = state.decisions.find((d) => principalKey(d.reviewer) === principalKey(reviewer));
  // The same decision again (a double click, a retried POST) is a success that
  // changes nothing, as long as the request is pending or that decision counted.
  if (
    earlier?.decision === decision &&
    state.status !== 'expired' &&
    state.status !== 'cancelled'
  ) {
    return { ok: true, state, events: settled.events };
  }
  if (state.status !== 'pending') return refuse('not_pending');
  if (earlier !== undefined || state.decisions.some((d) => shareEmail(d.reviewer, reviewer))) {
    return refuse('already_decided_by_reviewer');
  }
  const reason = clip(options.reason);
  if (decision === 'deny' && reason === null) return refuse('reason_required');

  const recorded: StoredDecision = {
    reviewer,
    decision,
    reason,
    at: now,
    grantTtlSeconds: decision === 'approve' ? pickedTtl(options.grantTtlSeconds) : null,
  };
  const decisions = [...state.decisions, recorded];
  const events: StateEvent[] = [...settled.events, { kind: 'decision', decision: recorded }];

  if (decision === 'deny') {
    return {
      ok: true,
      state: { ...state, decisions, status: 'denied', decidedAt: now, denyReason: reason },
      events: [...events, { kind: 'denied', reviewer, reason: reason ?? '' }],
    };
  }
  const approvals = decisions.filter((d) => d.decision === 'approve');
  if (approvals.length < state.init.review.approvals) {
    return { ok: true, state: { ...state, decisions }, events };
  }
  const grant = grantFor(state.init, approvals, now);
  return {
    ok: true,
    state: { ...state, decisions, status: 'approved', decidedAt: now, grant },
    events: [...events, { kind: 'approved', grant }],
  };
}

export function cancel(current: AccessRequestState, requester: Actor, now: number): CancelStep {
  const settled = settle(current, now);
  const state = settled.state;
  if (principalKey(requester) !== principalKey(state.init.requester)) {
    return { ok: false, reason: 'not_requester', ...settled };
  }
  if (state.status === 'cancelled') return { ok: true, ...settled };
  if (state.status !== 'pending') return { ok: false, reason: 'not_pending', ...settled };
  return {
    ok: true,
    state: { ...state, status: 'cancelled', decidedAt: now },
    events: [...settled.events, { kind: 'cancelled' }],
  };
}

/** The grant's scope, narrowed when the rule's scope does not fit the read. */
export function effectiveScope(init: AccessRequestInit): GrantScope {
  return narrowScope(init.review.grantScope, init.resourceId);
}

/**
 * Every approver may shorten the grant; the rule's cap bounds them all. The
 * shortest pick wins, so no approver's grant is outlived.
 */
function grantFor(init: AccessRequestInit, approvals: StoredDecision[], now: number): Grant {
  const cap = init.review.grantTtlSeconds;
  const seconds = Math.min(cap, ...approvals.map((a) => a.grantTtlSeconds ?? cap));
  return {
    scope: effectiveScope(init),
    namespace: init.namespace,
    method: init.method,
    path: init.path,
    resourceId: init.resourceId,
    grantee: init.requester,
    expiresAt: now + seconds * 1000,
  };
}

function pickedTtl(seconds: number | null | undefined): number | null {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return null;
  return Math.max(1, Math.floor(seconds));
}

function clip(text: string | null): string | null {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed.slice(0, MAX_REASON_CHARS);
}

export function approvalCount(state: Pick<AccessRequestState, 'decisions'>): number {
  return state.decisions.filter((d) => d.decision === 'approve').length;
}

export function toView(state: AccessRequestState): AccessRequestView {
  const { init } = state;
  return {
    id: state.id,
    status: state.status,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    requester: init.requester,
    namespace: init.namespace,
    method: init.method,
    path: init.path,
    resourceId: init.resourceId,
    ruleId: init.ruleId,
    justification: init.justification,
    approvalsRequired: init.review.approvals,
    reviewerGroups: init.review.reviewerGroups,
    decisions: state.decisions.map(({ reviewer, decision, reason, at }) => ({
      reviewer,
      decision,
      reason,
      at,
    })),
    grant: state.grant,
    denyReason: state.denyReason,
    reviewUrl: init.reviewUrl,
  };
}
