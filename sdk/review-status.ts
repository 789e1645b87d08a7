// The review's state as the SDK reports it, parsed from the gateway's JSON.
//
// Two documents describe an access request: the 202 body of a read that needs
// review (`{ id, status, reviewUrl, expiresAt, approvalsRequired, approvals }`)
// and the status view of `GET /v1/requests/{id}` (which adds `decisions`,
// `denyReason`, `reviewerGroups`, …). Both parse into one ReviewStatus, read
// leniently: a missing optional member is `undefined`, not an error, so a
// newer gateway that adds members never breaks an older SDK.

export type AccessRequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

export interface ReviewerDecision {
  reviewer: string;
  decision: 'approve' | 'deny';
  reason: string | undefined;
  /** Milliseconds since the epoch. */
  at: number | undefined;
}

export interface ReviewStatus {
  accessRequestId: string;
  status: AccessRequestStatus;
  reviewUrl: string | undefined;
  /** When the pending request expires, in milliseconds since the epoch. */
  expiresAt: number | undefined;
  approvals: number;
  approvalsRequired: number | undefined;
  reviewerGroups: string[];
  /** Who was notified, when the gateway says (names, channels or groups). */
  notified: string[];
  decisions: ReviewerDecision[];
  denyReason: string | undefined;
  /** Who asked (email or subject), what for and why, when the document says. */
  requester: string | undefined;
  namespace: string | undefined;
  method: string | undefined;
  path: string | undefined;
  resourceId: string | undefined;
  justification: string | undefined;
  ruleId: string | undefined;
  /** Milliseconds since the epoch. */
  createdAt: number | undefined;
  /** When an approved request's grant ends, in milliseconds since the epoch. */
  grantExpiresAt: number | undefined;
  /** The whole document, for members this SDK does not know yet. */
  raw: Record<string, unknown>;
}

const STATUSES: readonly string[] = ['pending', 'approved', 'denied', 'expired', 'cancelled'];

/** Parses a 202 body or a status view; undefined if it is not one. */
export function parseReviewStatus(
  value: Record<string, unknown>,
  fallbackId?: string,
): ReviewStatus | undefined {
  const id = typeof value.id === 'string' ? value.id : fallbackId;
  const status = value.status;
  if (id === undefined || id === '' || typeof status !== 'string' || !STATUSES.includes(status)) {
    return undefined;
  }
  const decisions = Array.isArray(value.decisions) ? value.decisions.flatMap(parseDecision) : [];
  const approvalsFromDecisions = decisions.filter((d) => d.decision === 'approve').length;
  return {
    accessRequestId: id,
    status: status as AccessRequestStatus,
    reviewUrl: typeof value.reviewUrl === 'string' ? value.reviewUrl : undefined,
    expiresAt: parseTime(value.expiresAt),
    approvals:
      typeof value.approvals === 'number'
        ? value.approvals
        : Array.isArray(value.approvals)
          ? value.approvals.length
          : approvalsFromDecisions,
    approvalsRequired:
      typeof value.approvalsRequired === 'number' ? value.approvalsRequired : undefined,
    reviewerGroups: stringList(value.reviewerGroups),
    notified: stringList(value.notified),
    decisions,
    denyReason: optionalString(value.denyReason),
    requester: value.requester === undefined ? undefined : describeActor(value.requester),
    namespace: optionalString(value.namespace),
    method: optionalString(value.method),
    path: optionalString(value.path),
    resourceId: optionalString(value.resourceId),
    justification: optionalString(value.justification),
    ruleId: optionalString(value.ruleId),
    createdAt: parseTime(value.createdAt),
    grantExpiresAt: grantExpiry(value.grant),
    raw: value,
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function grantExpiry(grant: unknown): number | undefined {
  if (typeof grant !== 'object' || grant === null) return undefined;
  return parseTime((grant as Record<string, unknown>).expiresAt);
}

function parseDecision(value: unknown): ReviewerDecision[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const decision = record.decision;
  if (decision !== 'approve' && decision !== 'deny') return [];
  return [
    {
      reviewer: describeActor(record.reviewer),
      decision,
      reason: typeof record.reason === 'string' ? record.reason : undefined,
      at: parseTime(record.at),
    },
  ];
}

/** An actor as the gateway sends it (`{ email, subject, … }`) or a plain name. */
export function describeActor(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const actor = value as Record<string, unknown>;
    if (typeof actor.email === 'string') return actor.email;
    if (typeof actor.subject === 'string') return actor.subject;
  }
  return 'unknown';
}

/** Epoch milliseconds from a number (ms) or an RFC 3339 string. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (typeof item === 'string' ? [item] : describeNamed(item)));
}

function describeNamed(item: unknown): string[] {
  if (typeof item !== 'object' || item === null) return [];
  const record = item as Record<string, unknown>;
  for (const key of ['name', 'email', 'group', 'target', 'id']) {
    const field = record[key];
    if (typeof field === 'string') return [field];
  }
  return [];
}
