// What each state-machine event must cause outside the object: audit rows,
// the D1 index row, the grant row, and notifications. Pure: it returns outbox
// items, which the Durable Object stores in the same transaction as the new
// state and then delivers (and retries) until they succeed.
//
// Order within one transition: audit rows first, then the grant, then the
// index row, so that no grant is usable before the approval is in the audit.
import type { AuditEvent } from '../worker/audit/audit-log.ts';
import type { Principal } from '../worker/identity/principal.ts';
import type { PendingNotification } from '../worker/notify/deliver.ts';
import {
  notificationTypeFor,
  slackMessage,
  webhookPayload,
  type NotificationType,
} from '../worker/notify/messages.ts';
import { scopeKey } from '../worker/review/grant-scope.ts';
import type { AccessRequestRow, GrantRow } from '../worker/review/tables.ts';
import type { Actor } from './access-request-contract.ts';
import {
  approvalCount,
  effectiveScope,
  toView,
  type AccessRequestState,
  type StateEvent,
} from './access-request-state.ts';

export type OutboxItem =
  | { kind: 'audit'; event: AuditEvent }
  | { kind: 'grant'; row: GrantRow }
  | { kind: 'index'; row: AccessRequestRow }
  | { kind: 'notify'; type: NotificationType; notification: PendingNotification };

export interface EffectContext {
  now: number;
  /** Gateway request id for the audit rows (the call that caused the transition). */
  requestId: string;
  /** Unique message ids for notifications (a seam for tests). */
  newMessageId?: () => string;
}

/** The audit's principal shape for an actor carried through RPC (it has no issuer id). */
export function actorPrincipal(actor: Actor): Principal {
  return {
    issuerId: '',
    issuer: actor.issuer,
    subject: actor.subject,
    email: actor.email,
    groups: actor.groups,
    tokenId: undefined,
    issuedAt: undefined,
  };
}

export function effectsOf(
  state: AccessRequestState,
  events: readonly StateEvent[],
  context: EffectContext,
): OutboxItem[] {
  if (events.length === 0) return [];
  const { init } = state;
  const base = {
    requestId: context.requestId,
    at: context.now,
    accessRequestId: state.id,
    namespace: init.namespace,
    method: init.method,
    // The full path, like the read path's rows, so one query finds a read's whole story.
    path: init.requestPath,
    resourceId: init.resourceId,
    ruleId: init.ruleId,
  };
  const audits: OutboxItem[] = [];
  const grants: OutboxItem[] = [];
  const notifyTypes: NotificationType[] = [];
  const audit = (event: Omit<AuditEvent, keyof typeof base>) =>
    audits.push({ kind: 'audit', event: { ...base, ...event } });

  let stateChanged = false;
  for (const event of events) {
    switch (event.kind) {
      case 'created':
        stateChanged = true;
        audit({
          event: 'review_created',
          principal: actorPrincipal(init.requester),
          decision: 'pending',
          reason: init.justification === null ? null : `justification: ${init.justification}`,
        });
        notifyTypes.push(notificationTypeFor('pending'));
        break;
      case 'decision':
        stateChanged = true;
        audit({
          event: 'review_decision',
          principal: actorPrincipal(event.decision.reviewer),
          decision: event.decision.decision,
          reason: event.decision.reason,
        });
        break;
      case 'refused':
        audit({
          event: 'review_decision',
          principal: actorPrincipal(event.reviewer),
          decision: 'refused',
          reason: `${event.decision} refused: ${event.reason}`,
        });
        break;
      case 'approved':
        audit({
          event: 'review_approved',
          principal: actorPrincipal(init.requester),
          decision: 'approved',
          reason: `grant ${event.grant.scope} until ${new Date(event.grant.expiresAt).toISOString()}`,
        });
        grants.push({
          kind: 'grant',
          row: {
            accessRequestId: state.id,
            granteeIssuer: event.grant.grantee.issuer,
            granteeSubject: event.grant.grantee.subject,
            namespace: event.grant.namespace,
            ruleId: init.ruleId,
            scope: event.grant.scope,
            method: event.grant.method,
            path: event.grant.path,
            resourceId: event.grant.resourceId,
            createdAt: context.now,
            expiresAt: event.grant.expiresAt,
          },
        });
        notifyTypes.push(notificationTypeFor('approved'));
        break;
      case 'denied':
        audit({
          event: 'review_denied',
          principal: actorPrincipal(event.reviewer),
          decision: 'denied',
          reason: event.reason,
        });
        notifyTypes.push(notificationTypeFor('denied'));
        break;
      case 'expired':
        stateChanged = true;
        audit({ event: 'review_expired', decision: 'expired', reason: 'pending TTL elapsed' });
        notifyTypes.push(notificationTypeFor('expired'));
        break;
      case 'cancelled':
        stateChanged = true;
        audit({
          event: 'review_cancelled',
          principal: actorPrincipal(init.requester),
          decision: 'cancelled',
        });
        notifyTypes.push(notificationTypeFor('cancelled'));
        break;
    }
  }

  const view = toView(state);
  const newMessageId = context.newMessageId ?? (() => `msg_${crypto.randomUUID()}`);
  const notifications: OutboxItem[] = notifyTypes.flatMap((type) =>
    init.notify.map((target): OutboxItem => {
      const body =
        target.kind === 'webhook'
          ? webhookPayload(type, view, context.now)
          : slackMessage(type, view);
      return {
        kind: 'notify',
        type,
        notification: { target, messageId: newMessageId(), body: JSON.stringify(body) },
      };
    }),
  );
  const index: OutboxItem[] = stateChanged ? [{ kind: 'index', row: indexRow(state) }] : [];
  return [...audits, ...grants, ...index, ...notifications];
}

export function indexRow(state: AccessRequestState): AccessRequestRow {
  const { init } = state;
  return {
    id: state.id,
    requesterIssuer: init.requester.issuer,
    requesterSubject: init.requester.subject,
    requesterEmail: init.requester.email ?? null,
    namespace: init.namespace,
    method: init.method,
    path: init.path,
    resourceId: init.resourceId,
    ruleId: init.ruleId,
    grantScope: effectiveScope(init),
    scopeKey: scopeKey(init.review.grantScope, init),
    reviewerGroups: JSON.stringify(init.review.reviewerGroups),
    approvalsRequired: init.review.approvals,
    approvals: approvalCount(state),
    status: state.status,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    decidedAt: state.decidedAt,
  };
}
