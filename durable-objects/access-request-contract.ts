// The contract between the gateway and the AccessRequest Durable Object:
// the shapes its RPC methods take and return. Kept apart from the class so the
// Worker, the review pages and the tests share one definition.
import type { ReviewSettings } from '../worker/config/schema.ts';

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
  path: string; // path below the namespace prefix
  resourceId: string | null;
  ruleId: string;
  justification: string | null;
  review: ReviewSettings; // reviewer groups, approvals, TTLs, scope
  notify: unknown[]; // the namespace's notification targets (NotifyTarget[])
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
      reason: 'not_pending' | 'self_approval' | 'not_a_reviewer' | 'already_decided_by_reviewer';
      view: AccessRequestView;
    };
