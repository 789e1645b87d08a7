// One delivery attempt: Standard Webhooks signing (checked with the library's
// own verify), what counts as success, and failures that retrying cannot fix.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { NotifyTarget } from '../config/schema.ts';
import { deliverNotification, describeTarget, retryDelayMs, signingHeaders } from './deliver.ts';

const SECRET = `whsec_${btoa('deliver-test-secret-0123456789ab')}`;
const NOW = Date.UTC(2030, 0, 1);
const webhook: NotifyTarget = {
  kind: 'webhook',
  url: 'https://hooks.test/r?token=abc',
  secret: 'HOOK_SECRET',
};
const slack: NotifyTarget = { kind: 'slack', url: 'https://hooks.slack.test/services/T/B/XYZ' };

function recorder(status = 200) {
  const seen: Request[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Request(input, init));
    return new Response('ok', { status });
  }) as typeof globalThis.fetch;
  return { seen, fetch };
}

describe('deliverNotification', () => {
  it('signs a webhook so that the Standard Webhooks library verifies it', async () => {
    const { seen, fetch } = recorder(200);
    const body = JSON.stringify({ type: 'access_request.created', data: { id: 'r1' } });
    const result = await deliverNotification(
      { target: webhook, messageId: 'msg_1', body },
      { secrets: { HOOK_SECRET: SECRET }, now: NOW, fetch },
    );
    expect(result).toEqual({ ok: true, status: 200 });
    const sent = seen[0];
    expect(sent?.method).toBe('POST');
    expect(sent?.headers.get('content-type')).toBe('application/json');
    expect(sent?.headers.get('webhook-id')).toBe('msg_1');
    expect(sent?.headers.get('webhook-timestamp')).toBe(String(NOW / 1000));
    const text = (await sent?.text()) ?? '';
    expect(text).toBe(body);
    // verify() checks the timestamp against the real clock, so sign "now" for it.
    const at = new Date();
    const headers = signingHeaders(SECRET, 'msg_1', at, body);
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(SECRET).verify(`${body} `, headers)).toThrow();
  });

  it('sends Slack messages unsigned', async () => {
    const { seen, fetch } = recorder(200);
    await deliverNotification(
      { target: slack, messageId: 'm', body: '{}' },
      { secrets: {}, now: NOW, fetch },
    );
    expect(seen[0]?.headers.get('webhook-signature')).toBeNull();
  });

  it('fails, retryably, on a non-2xx answer, a redirect or a network error', async () => {
    for (const status of [500, 302, 404]) {
      const { fetch } = recorder(status);
      expect(
        await deliverNotification(
          { target: slack, messageId: 'm', body: '{}' },
          { secrets: {}, now: NOW, fetch },
        ),
      ).toEqual({
        ok: false,
        permanent: false,
        reason: `HTTP ${status}`,
      });
    }
    const broken = (async () => {
      throw new TypeError('connection refused');
    }) as typeof globalThis.fetch;
    expect(
      await deliverNotification(
        { target: slack, messageId: 'm', body: '{}' },
        { secrets: {}, now: NOW, fetch: broken },
      ),
    ).toMatchObject({
      ok: false,
      permanent: false,
      reason: 'TypeError: connection refused',
    });
  });

  it('fails permanently, without sending, when the signing secret is missing or not a whsec_ secret', async () => {
    for (const secrets of [{}, { HOOK_SECRET: 'plain-text' }, { HOOK_SECRET: 'whsec_' }]) {
      const { seen, fetch } = recorder(200);
      const result = await deliverNotification(
        { target: webhook, messageId: 'm', body: '{}' },
        { secrets, now: NOW, fetch },
      );
      expect(result).toMatchObject({ ok: false, permanent: true });
      expect(seen).toHaveLength(0);
    }
  });
});

describe('retries and descriptions', () => {
  it('backs off exponentially from 10 seconds', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([10_000, 20_000, 40_000, 80_000]);
  });

  it('describes a target by kind and origin only, never its path or query', () => {
    expect(describeTarget(slack)).toBe('slack https://hooks.slack.test');
    expect(describeTarget(webhook)).toBe('webhook https://hooks.test');
  });
});
