// The contract between the gateway and the AccessRequest Durable Object:
// the shapes its RPC methods take and return. Kept apart from the class so the
// Worker, the review pages and the tests share one definition.
import type { NotifyTarget, ReviewSettings } from '../worker/config/schema.ts';

export type AccessRequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
export type GrantScope = ReviewSettings['grantScope'];

/** Who acted: enough to identify (issuer + subject) and to show (email). */
export interface Actor {
  issuer: string;
  subject: string;
  email: string | undefined;
  groups: string[];
}

export interface AccessRequestInit {
  requestId: string; // gateway request id of the read that created it
  requester: Actor;
  namespace: string;
  method: string;
  path: string; // path below the namespace prefix and the forwarded query (what a `request` grant opens)
  requestPath: string; // the path the reader sent, prefix included, and the query (redacted): audit rows record it, as the read path's do
  resourceId: string | null;
  ruleId: string;
  justification: string | null;
  review: ReviewSettings; // reviewer groups, approvals, TTLs, scope
  notify: NotifyTarget[]; // the namespace's notification targets
  reviewUrl: string;
}

export interface ReviewerDecision {
  reviewer: Actor;
  decision: 'approve' | 'deny';
  reason: string | null;
  at: number;
}

export interface Grant {
  scope: GrantScope;
  namespace: string;
  method: string;
  path: string;
  resourceId: string | null;
  grantee: Actor;
  expiresAt: number;
}

export interface AccessRequestView {
  id: string;
  status: AccessRequestStatus;
  createdAt: number;
  expiresAt: number; // pending TTL deadline
  requester: Actor;
  namespace: string;
  method: string;
  path: string;
  resourceId: string | null;
  ruleId: string;
  justification: string | null;
  approvalsRequired: number;
  reviewerGroups: string[];
  decisions: ReviewerDecision[];
  grant: Grant | null;
  denyReason: string | null;
  reviewUrl: string;
}

export type DecideResult =
  | { ok: true; view: AccessRequestView }
  | {
      ok: false;
      reason: DecideRefusal;
      view: AccessRequestView;
    };

/**
 * Why a decision was refused. `not_pending`: the request is already approved,
 * denied, expired or cancelled (see `view.status`); `self_approval`: the
 * reviewer is the requester (same issuer and subject, or same email);
 * `already_decided_by_reviewer`: this reviewer already decided the other way
 * (the same decision again is an idempotent success), or someone with their
 * email address already decided; `reason_required`: a deny without a reason.
 */
export type DecideRefusal =
  | 'not_pending'
  | 'self_approval'
  | 'not_a_reviewer'
  | 'already_decided_by_reviewer'
  | 'reason_required';

export interface DecideOptions {
  /** Required to deny (shown to the requester); optional note on an approval. */
  reason: string | null;
  /** Grant duration the approver picks (null/absent: the cap); clamped to the rule's cap. */
  grantTtlSeconds?: number | null;
  /** Gateway request id of the call carrying the decision, for the audit row. */
  requestId?: string;
}

export type CancelResult =
  | { ok: true; view: AccessRequestView }
  | { ok: false; reason: 'not_pending' | 'not_requester'; view: AccessRequestView };

/**
 * The RPC surface of the AccessRequest Durable Object. `view()` answers null
 * for an id that was never created; the other methods (except `create`) throw
 * on such an id, so callers look the request up with `view()` first.
 * Every method settles a due expiry before it answers: a request past its
 * deadline is `expired` even if the alarm has not run yet.
 */
export interface AccessRequestRpc {
  /**
   * Creates the request; the same `init.requestId` again returns it
   * unchanged. Null when the object already holds the request of another
   * read (a race for the same slot): an answer, not an error, so the
   * expected race is not logged as an uncaught exception in the object.
   */
  create(init: AccessRequestInit): Promise<AccessRequestView | null>;
  view(): Promise<AccessRequestView | null>;
  decide(
    reviewer: Actor,
    decision: 'approve' | 'deny',
    options: DecideOptions,
  ): Promise<DecideResult>;
  cancel(requester: Actor, options?: { requestId?: string }): Promise<CancelResult>;
  /**
   * Resolves when the request leaves `pending`, or after `ms` (capped at 5
   * minutes). When the object already holds its most waiters, answers at once
   * with `tooManyWaiters`, so the caller does not claim it waited.
   */
  waitForDecision(ms: number): Promise<WaitResult>;
}

/**
 * Most callers one request holds at once. Every held read keeps a connection
 * (and its memory) open in the gateway, and a caller that goes away leaves
 * its waiter until the timeout; past this, waits are answered at once and the
 * caller polls. Only the requester's reads and the people who may view the
 * request can wait on it, so the cap bounds what one requester can pin.
 */
export const MAX_WAITERS = 32;

export interface WaitResult {
  view: AccessRequestView;
  /** The wait was refused: MAX_WAITERS callers already wait on this request. */
  tooManyWaiters: boolean;
}
