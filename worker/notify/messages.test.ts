// The notification bodies, built without any delivery: the webhook payload's
// fields and the Slack message's text, blocks, Review button and escaping.
import { describe, expect, it } from 'vitest';
import { createState, decide, toView } from '../../durable-objects/access-request-state.ts';
import { actor, requestInit } from '../review/testing/review-fixtures.ts';
import { escapeSlackText, notificationTypeFor, slackMessage, webhookPayload } from './messages.ts';

const T0 = Date.UTC(2030, 0, 1);
const pendingView = (justification: string | null = 'INC-42') =>
  toView(
    createState(
      'req-1',
      requestInit({ justification, reviewUrl: 'https://gw.test/review/req-1' }),
      T0,
    ).state,
  );

describe('webhookPayload', () => {
  it('carries the request summary in the Standard Webhooks envelope', () => {
    expect(webhookPayload('access_request.created', pendingView(), T0 + 5)).toEqual({
      type: 'access_request.created',
      timestamp: new Date(T0 + 5).toISOString(),
      data: {
        id: 'req-1',
        status: 'pending',
        requester: {
          issuer: 'https://idp.review.test',
          subject: 'alice',
          email: 'alice@example.test',
        },
        namespace: 'lf',
        method: 'GET',
        path: '/api/public/traces/t1',
        resourceId: 't1',
        ruleId: 'review-reads',
        justification: 'INC-42',
        reviewUrl: 'https://gw.test/review/req-1',
        expiresAt: new Date(T0 + 600_000).toISOString(),
        approvalsRequired: 1,
        approvals: 0,
        denyReason: null,
        grantExpiresAt: null,
      },
    });
  });

  it('sends the query with credential-like values redacted, in the payload and on Slack', () => {
    const view = toView(
      createState(
        'req-q',
        requestInit({ path: '/api/public/traces?userId=u1&api_key=s3cret&page=2' }),
        T0,
      ).state,
    );
    const redacted = '/api/public/traces?userId=u1&api_key=%5BREDACTED%5D&page=2';
    expect(webhookPayload('access_request.created', view, T0).data.path).toBe(redacted);
    const slack = JSON.stringify(slackMessage('access_request.created', view));
    expect(slack).toContain(escapeSlackText(`GET ${redacted}`));
    expect(slack).not.toContain('s3cret');
  });

  it('reports the grant expiry of an approval and the reason of a deny', () => {
    const state = createState('r', requestInit(), T0).state;
    const approved = decide(state, actor('bob', ['reviewer']), 'approve', { reason: null }, T0);
    expect(
      webhookPayload('access_request.approved', toView(approved.state), T0).data,
    ).toMatchObject({
      status: 'approved',
      approvals: 1,
      grantExpiresAt: new Date(T0 + 3600_000).toISOString(),
    });
    const denied = decide(state, actor('bob', ['reviewer']), 'deny', { reason: 'no' }, T0);
    expect(webhookPayload('access_request.denied', toView(denied.state), T0).data.denyReason).toBe(
      'no',
    );
  });

  it('names each status with its event type', () => {
    expect(notificationTypeFor('pending')).toBe('access_request.created');
    expect(notificationTypeFor('expired')).toBe('access_request.expired');
    expect(notificationTypeFor('cancelled')).toBe('access_request.cancelled');
  });
});

describe('slackMessage', () => {
  it('has a text fallback and a Review button that links to the review page', () => {
    const message = slackMessage('access_request.created', pendingView());
    expect(message.text).toContain('https://gw.test/review/req-1');
    expect(message.blocks).toContainEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Review' },
          url: 'https://gw.test/review/req-1',
          style: 'primary',
        },
      ],
    });
    const section = JSON.stringify(message.blocks[0]);
    expect(section).toContain('alice@example.test');
    expect(section).toContain('INC-42');
    expect(section).toContain('review-reads');
  });

  it('escapes what the requester typed, so it cannot ping a channel or disguise a link', () => {
    const message = slackMessage(
      'access_request.created',
      pendingView('<!channel> see <https://evil.test|docs> & more'),
    );
    const section = JSON.stringify(message.blocks[0]);
    expect(section).not.toContain('<!channel>');
    expect(section).not.toContain('<https://evil.test');
    expect(section).toContain('&lt;!channel&gt; see &lt;https://evil.test|docs&gt; &amp; more');
  });

  it('isolates the justification, whose direction marks then stay inside it', () => {
    const why = 'בדיקה של INC-9\u200f';
    const section = String(
      (
        slackMessage('access_request.created', pendingView(why)).blocks[0] as {
          text: { text: string };
        }
      ).text.text,
    );
    expect(section).toContain(`*Justification:* \u2068${why}\u2069\n`);
  });

  it('escapes the three Slack control characters, and replaces backticks and line breaks', () => {
    expect(escapeSlackText('a & b < c > d *e*')).toBe('a &amp; b &lt; c &gt; d *e*');
    // A backtick would close the code span around a trace id; a newline would forge a line.
    expect(escapeSlackText('abc`\n*Justification:* approved by CISO')).toBe(
      "abc' *Justification:* approved by CISO",
    );
  });
});
