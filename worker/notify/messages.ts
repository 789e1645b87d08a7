// What reviewers are told, and in which shape: pure builders for the generic
// webhook payload and the Slack-compatible incoming-webhook message.
//
// Builders take the access request view and return the exact body to send,
// so they are tested without any delivery. The webhook payload follows the
// Standard Webhooks recommended envelope `{ type, timestamp, data }`. The
// Slack text escapes `&`, `<` and `>` in everything a user typed (the
// justification, a reason): without it a requester could write `<!channel>`
// or a disguised link into the reviewers' channel. Both leave the gateway,
// so the read's query goes out with credential-like values redacted, as in
// the audit; the review page, behind the reviewer's sign-in, shows it whole.
import type {
  AccessRequestStatus,
  AccessRequestView,
} from '../../durable-objects/access-request-contract.ts';
import { redactedPath } from '../routing/forwarded-query.ts';

export type NotificationType =
  | 'access_request.created'
  | 'access_request.approved'
  | 'access_request.denied'
  | 'access_request.expired'
  | 'access_request.cancelled';

export function notificationTypeFor(status: AccessRequestStatus): NotificationType {
  switch (status) {
    case 'pending':
      return 'access_request.created';
    case 'approved':
      return 'access_request.approved';
    case 'denied':
      return 'access_request.denied';
    case 'expired':
      return 'access_request.expired';
    case 'cancelled':
      return 'access_request.cancelled';
  }
}

export interface WebhookPayload {
  type: NotificationType;
  timestamp: string;
  data: {
    id: string;
    status: AccessRequestStatus;
    requester: { issuer: string; subject: string; email: string | null };
    namespace: string;
    method: string;
    path: string;
    resourceId: string | null;
    ruleId: string;
    justification: string | null;
    reviewUrl: string;
    expiresAt: string;
    approvalsRequired: number;
    approvals: number;
    denyReason: string | null;
    grantExpiresAt: string | null;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function webhookPayload(
  type: NotificationType,
  view: AccessRequestView,
  now: number,
): WebhookPayload {
  return {
    type,
    timestamp: iso(now),
    data: {
      id: view.id,
      status: view.status,
      requester: {
        issuer: view.requester.issuer,
        subject: view.requester.subject,
        email: view.requester.email ?? null,
      },
      namespace: view.namespace,
      method: view.method,
      path: redactedPath(view.path),
      resourceId: view.resourceId,
      ruleId: view.ruleId,
      justification: view.justification,
      reviewUrl: view.reviewUrl,
      expiresAt: iso(view.expiresAt),
      approvalsRequired: view.approvalsRequired,
      approvals: view.decisions.filter((d) => d.decision === 'approve').length,
      denyReason: view.denyReason,
      grantExpiresAt: view.grant === null ? null : iso(view.grant.expiresAt),
    },
  };
}

/**
 * Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping),
 * and what mrkdwn cannot escape: a backtick would close the code span a
 * value sits in, a line break would start a forged line. Both are replaced.
 */
export function escapeSlackText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('`', "'")
    .replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/**
 * Prose a person typed (a justification, a reason), escaped and wrapped in a
 * first-strong isolate (U+2068 … U+2069): it may hold direction marks
 * (http/typed-text.ts), and inside an isolate they cannot reorder the label
 * in front of it, as the review page's `dir=auto` element does for the page.
 */
function slackProse(text: string): string {
  return `\u2068${escapeSlackText(text)}\u2069`;
}

const HEADLINES: Record<NotificationType, string> = {
  'access_request.created': 'Trace access request needs review',
  'access_request.approved': 'Trace access request approved',
  'access_request.denied': 'Trace access request denied',
  'access_request.expired': 'Trace access request expired',
  'access_request.cancelled': 'Trace access request cancelled',
};

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

export function slackMessage(type: NotificationType, view: AccessRequestView): SlackMessage {
  const who = escapeSlackText(view.requester.email ?? view.requester.subject);
  const what = escapeSlackText(`${view.method} ${redactedPath(view.path)}`);
  const where = escapeSlackText(view.namespace);
  const headline = HEADLINES[type];
  const lines = [
    `*${headline}*`,
    `*Requester:* ${who}`,
    `*Read:* \`${what}\` in namespace \`${where}\``,
    ...(view.resourceId === null ? [] : [`*Trace:* \`${escapeSlackText(view.resourceId)}\``]),
    `*Rule:* \`${escapeSlackText(view.ruleId)}\``,
    `*Justification:* ${view.justification === null ? '_none given_' : slackProse(view.justification)}`,
    ...(view.denyReason === null ? [] : [`*Reason:* ${slackProse(view.denyReason)}`]),
    type === 'access_request.created'
      ? `*Expires:* ${iso(view.expiresAt)} (${view.approvalsRequired} approval${view.approvalsRequired === 1 ? '' : 's'} needed)`
      : `*Status:* ${view.status}`,
  ];
  return {
    text: `${headline}: ${who} asks to read ${what} in ${where}. Review: ${view.reviewUrl}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Review' },
            url: view.reviewUrl,
            ...(type === 'access_request.created' ? { style: 'primary' } : {}),
          },
        ],
      },
    ],
  };
}
