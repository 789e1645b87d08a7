// Step 5 of the request path: a read the policy sends to review.
//
//   a. an active grant covers the read → audit `grant_used`, serve it;
//   b. else the rule may require a justification (Tracegate-Justification);
//   c. reuse the requester's pending request for the same scope, or open one
//      (the Durable Object notifies the reviewers); reads that race to open
//      one meet in the same object (request-slot.ts);
//   d. `Prefer: wait=N` holds the caller until a decision or the timeout;
//   e. answer: approved → the trace on this same response; pending → 202 with
//      Location; denied → 403 with the reviewer's reason; expired or
//      cancelled → 410.
//
// No trace byte flows unless a grant covers this read (grantCovers), and the
// `grant_used` row is written (awaited) before the store is asked. A caller
// that goes away while held leaves the request pending: the waiter lives in
// the Durable Object and only times out there.
import type { AccessRequestView } from '../../durable-objects/access-request-contract.ts';
import { GatewayError } from '../http/errors.ts';
import { PROSE_RULE, hasMisleadingCharacters, hasMisleadingProse } from '../http/typed-text.ts';
import type { Decision } from '../policy/evaluate-policy.ts';
import { auditLater, serveTrace, type AuthorizedRead, type ReadDeps } from '../read/read-trace.ts';
import { appendSessionEvent } from '../recording/session-events.ts';
import { accessRequestSummary } from '../requests/representation.ts';
import {
  accessRequestStub,
  reviewUrl,
  type AccessRequestNamespace,
} from './access-request-stub.ts';
import { grantCovers, grantLike, scopeKey, type ReadScope } from './grant-scope.ts';
import { preferredWaitSeconds } from './prefer-wait.ts';
import { openRequest, type OpenedRequest } from './request-slot.ts';
import {
  countPendingRequests,
  countRequests,
  findActiveGrant,
  findCurrentRequest,
} from './review-index.ts';

export interface ReviewDeps {
  accessRequests: AccessRequestNamespace;
  /** D1 with the review index and grants (the audit database). */
  db: D1Database;
  /**
   * The gateway's public origin, for review links (session/public-origin.ts:
   * PUBLIC_URL, else the request's origin); throws gateway_misconfigured
   * when PUBLIC_URL is set but is not an http(s) URL.
   */
  publicUrl: () => string;
  /** Upper bound of `Prefer: wait=N`, in seconds. */
  maxWaitSeconds: number;
  /** Access requests one requester may have pending at once (gateway.maxPendingRequests). */
  maxPendingRequests: number;
  /**
   * The key that names access request objects (request-slot.ts), or null
   * without SESSION_SECRET; absent: random ids, no de-duplication of racing reads.
   */
  slotKey?: () => Promise<CryptoKey | null>;
}

export const JUSTIFICATION_HEADER = 'tracegate-justification';
export const MAX_JUSTIFICATION_CHARS = 1000;
/**
 * Retry-After of the 202 (RFC 9110 §10.2.3), in seconds. Short, because a
 * client that simply waits this long and asks again learns of an approval at
 * most this late. The efficient way to wait is the long-poll
 * `GET /v1/requests/{id}?wait=N` (the SDK and the CLI use it): the Durable
 * Object answers it the moment the request is decided, so one held call
 * replaces a stream of polls and the delay here costs it one second at most.
 */
export const RETRY_AFTER_SECONDS = 1;

type ReviewDecision = Extract<Decision, { outcome: 'review' }>;

export async function holdForReview(
  read: AuthorizedRead,
  decision: ReviewDecision,
  deps: ReadDeps,
): Promise<Response> {
  const { scope, route, request } = read;
  const { principal } = scope;
  const review = deps.review;
  // Without its bindings the review flow cannot run: fail closed.
  if (review === undefined) throw new GatewayError('gateway_misconfigured');
  const readScope: ReadScope = {
    issuer: principal.issuer,
    subject: principal.subject,
    namespace: route.namespace.id,
    ruleId: decision.ruleId,
    method: read.method,
    // The query too: a `request` grant opens what the reviewer saw, not the
    // same path with another filter or page.
    path: `${route.relativePath}${read.search}`,
    resourceId: route.resourceId,
  };
  const authorized: AuthorizedRead = { ...read, mask: decision.mask };

  // a. an active grant
  const grant = await indexQuery(() => findActiveGrant(review.db, readScope, deps.now()));
  if (grant !== null) {
    return serveUnderGrant(authorized, deps, {
      accessRequestId: grant.accessRequestId,
      scope: grant.scope,
      expiresAt: grant.expiresAt,
      ruleId: decision.ruleId,
    });
  }

  // b. justification, and a trace id fit to show a reviewer
  const justification = readJustification(request.headers);
  if (read.route.resourceId !== null && hasMisleadingCharacters(read.route.resourceId)) {
    throw new GatewayError('bad_request', {
      publicDetail:
        'The trace id holds control, format (bidirectional, zero-width) or line-separator characters; a reviewer could not read it as sent.',
    });
  }
  if (decision.review.requireJustification && justification === null) {
    throw new GatewayError('justification_required');
  }

  // c. the request to wait on: the current one for this scope, or a new one
  const publicUrl = review.publicUrl(); // before anything is created: a bad PUBLIC_URL stops here
  const key = scopeKey(decision.review.grantScope, readScope);
  const current = await indexQuery(() => findCurrentRequest(review.db, principal, key, deps.now()));
  const indexed = current === null ? null : accessRequestStub(review.accessRequests, current.id);
  const indexedView = indexed === null ? null : await indexed.view();
  // Pending: wait on it. Denied, until its pending deadline: the retried read
  // learns of the deny. Just approved, before the object has written the
  // grant's index row: served under that grant below, not sent to review a
  // second time.
  const speaksForScope = (candidate: AccessRequestView): boolean =>
    candidate.status === 'pending' ||
    (candidate.status === 'denied' && candidate.expiresAt > deps.now()) ||
    (candidate.status === 'approved' &&
      candidate.grant !== null &&
      grantCovers(grantLike(candidate.grant, candidate.ruleId), readScope, deps.now()));
  let opened: OpenedRequest;
  if (indexed !== null && indexedView !== null && speaksForScope(indexedView)) {
    opened = { stub: indexed, view: indexedView, created: false };
  } else {
    // A new request notifies reviewers: not beyond the requester's share of their attention.
    // (Reads racing past this count can exceed it by a few; it bounds a flood, not a race.)
    const pending = await indexQuery(() => countPendingRequests(review.db, principal, deps.now()));
    if (pending >= review.maxPendingRequests) {
      auditLater(deps, {
        ...scope,
        event: 'failed',
        reason: `too many pending access requests (${pending}, at most ${review.maxPendingRequests})`,
      });
      throw new GatewayError('too_many_pending_requests');
    }
    opened = await openRequest({
      accessRequests: review.accessRequests,
      key: (await review.slotKey?.()) ?? null,
      requester: principal,
      scopeKey: key,
      known: await indexQuery(() => countRequests(review.db, principal, key)),
      isCurrent: speaksForScope,
      init: (id) => ({
        requestId: scope.requestId,
        requester: {
          issuer: principal.issuer,
          subject: principal.subject,
          email: principal.email,
          groups: principal.groups,
        },
        namespace: route.namespace.id,
        method: read.method,
        path: readScope.path,
        requestPath: scope.path,
        resourceId: route.resourceId,
        ruleId: decision.ruleId,
        justification,
        review: decision.review,
        notify: route.namespace.notify,
        reviewUrl: reviewUrl(publicUrl, id),
      }),
    });
  }
  const { stub } = opened;
  let view = opened.view;
  if (view.status === 'denied') throw deniedError(view);
  if (opened.created) {
    appendSessionEvent(read, {
      type: 'review',
      at: deps.now(),
      action: 'created',
      accessRequestId: view.id,
      actor: null,
      detail: null,
    });
  }

  // d. hold the caller, if asked to
  const waitSeconds = preferredWaitSeconds(request.headers.get('prefer'), review.maxWaitSeconds);
  let applied: Record<string, string> =
    waitSeconds > 0 ? { 'preference-applied': `wait=${waitSeconds}` } : {};
  if (waitSeconds > 0 && view.status === 'pending') {
    const waited = await stub.waitForDecision(waitSeconds * 1000);
    view = waited.view;
    // Too many reads already wait on this request: answered at once, not held.
    if (waited.tooManyWaiters) applied = {};
  }

  // e. answer
  switch (view.status) {
    case 'pending':
      return new Response(JSON.stringify(accessRequestSummary(view)), {
        status: 202,
        headers: {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          location: `/v1/requests/${view.id}`,
          'retry-after': String(RETRY_AFTER_SECONDS),
          'x-request-id': scope.requestId,
          ...applied,
        },
      });
    case 'approved': {
      const granted = view.grant;
      if (
        granted === null ||
        !grantCovers(grantLike(granted, view.ruleId), readScope, deps.now())
      ) {
        // Unreachable unless the grant expired in the meantime: never serve then.
        throw new GatewayError('access_denied', { extensions: { accessRequestId: view.id } });
      }
      const response = await serveUnderGrant(authorized, deps, {
        accessRequestId: view.id,
        scope: granted.scope,
        expiresAt: granted.expiresAt,
        ruleId: decision.ruleId,
      });
      for (const [name, value] of Object.entries(applied)) response.headers.set(name, value);
      return response;
    }
    case 'denied':
      throw deniedError(view);
    case 'expired':
      throw new GatewayError('review_expired', { extensions: { accessRequestId: view.id } });
    case 'cancelled':
      throw new GatewayError('review_cancelled', { extensions: { accessRequestId: view.id } });
  }
}

/** The grant is recorded (awaited) before the store is asked: no byte without a record. */
async function serveUnderGrant(
  read: AuthorizedRead,
  deps: ReadDeps,
  grant: { accessRequestId: string; scope: string; expiresAt: number; ruleId: string },
): Promise<Response> {
  const detail = `${grant.scope} grant until ${new Date(grant.expiresAt).toISOString()}`;
  await deps.audit.write({
    ...read.scope,
    event: 'grant_used',
    accessRequestId: grant.accessRequestId,
    ruleId: grant.ruleId,
    decision: 'allow',
    reason: detail,
  });
  appendSessionEvent(read, {
    type: 'review',
    at: deps.now(),
    action: 'grant_used',
    accessRequestId: grant.accessRequestId,
    actor: null,
    detail,
  });
  return serveTrace(read, deps);
}

function deniedError(view: AccessRequestView): GatewayError {
  const reason = view.denyReason ?? 'no reason given';
  return new GatewayError('review_denied', {
    publicDetail: `A reviewer denied this request: ${reason}`,
    extensions: { accessRequestId: view.id, reason },
  });
}

/** RFC 8187 ext-value with the UTF-8 charset (no language tag): how non-ASCII text travels. */
const UTF8_EXT_VALUE = /^utf-8''/i;
const RAW_ALLOWED = /^[\x20-\x7e\t]*$/;

function badJustification(detail: string): GatewayError {
  return new GatewayError('bad_request', { publicDetail: `Tracegate-Justification: ${detail}` });
}

/**
 * The caller's justification: trimmed, at most MAX_JUSTIFICATION_CHARS, or
 * null. Printable ASCII as is; any other text as an RFC 8187 ext-value,
 * `UTF-8''` then the percent-encoded UTF-8 bytes (what the SDK and CLI send).
 */
export function readJustification(headers: Headers): string | null {
  let value = headers.get(JUSTIFICATION_HEADER)?.trim() ?? '';
  if (UTF8_EXT_VALUE.test(value)) {
    try {
      value = decodeURIComponent(value.slice("UTF-8''".length)).trim();
    } catch {
      throw badJustification("after UTF-8'' comes percent-encoded UTF-8 (RFC 8187).");
    }
  } else if (!RAW_ALLOWED.test(value)) {
    throw badJustification(
      "printable ASCII, or UTF-8'' and the percent-encoded UTF-8 text (RFC 8187).",
    );
  }
  if (value === '') return null;
  if (hasMisleadingProse(value)) {
    throw badJustification(PROSE_RULE);
  }
  if (value.length > MAX_JUSTIFICATION_CHARS) {
    throw badJustification(`longer than ${MAX_JUSTIFICATION_CHARS} characters.`);
  }
  return value;
}

/** The review index lives in the audit database: when it cannot be read, nothing is served. */
async function indexQuery<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (cause) {
    throw new GatewayError('audit_unavailable', { cause });
  }
}
