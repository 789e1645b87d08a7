// Just-in-time access review end to end: the real local stack (wrangler dev
// with local D1 and Durable Objects, the origin shim, the development IdP's
// real tokens, the webhook sink). Reads in the /restricted namespace need a
// reviewer's approval (tracegate.yaml: review-restricted-reads).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTracesDir, repoRoot } from '../../local-dev/paths.ts';
import type { Delivery } from '../../local-dev/webhook-sink/server.ts';
import { startE2EStack, type E2EStack } from './support/e2e-stack.ts';

let e2e: E2EStack;
const langgraphTrace = readFileSync(
  path.join(defaultTracesDir, 'langfuse-langgraph-js.trace.json'),
);
const agentsTrace = readFileSync(path.join(defaultTracesDir, 'langfuse-openai-agents.trace.json'));
const WHY = { 'tracegate-justification': 'INC-1234: customer reported a wrong answer' };

beforeAll(async () => {
  e2e = await startE2EStack();
});
afterAll(async () => {
  await e2e?.close();
});

async function call(
  user: string | undefined,
  pathname: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (user !== undefined) headers.authorization = `Bearer ${await e2e.tokenFor(user)}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${e2e.gatewayUrl}${pathname}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  const json = () => JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return { response, body, json };
}

/** The id of alice's pending request for `pathname`, once the held read has opened it. */
async function pendingRequestFor(user: string, resourceId: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { json } = await call(user, '/v1/requests?status=pending');
    const requests = json().requests as { id: string; resourceId: string | null }[];
    const found = requests.find((r) => r.resourceId === resourceId);
    if (found !== undefined) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pending request for ${resourceId}`);
}

async function deliveries(name: string, id: string): Promise<Delivery[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = e2e.stack.sink.deliveries(name).filter((d) => d.body.includes(id));
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function devWebhookSecret(): string {
  const vars = readFileSync(path.join(repoRoot, '.dev.vars'), 'utf8');
  const line = vars.split('\n').find((l) => l.startsWith('WEBHOOK_SECRET='));
  if (line === undefined) throw new Error('.dev.vars has no WEBHOOK_SECRET');
  return line.slice('WEBHOOK_SECRET='.length).trim();
}

describe('a held read', () => {
  it('is woken by a reviewer’s approval and receives the trace on the same response', async () => {
    const held = call('alice', '/restricted/api/public/traces/langgraph-weather', {
      headers: { ...WHY, prefer: 'wait=30' },
    });
    const id = await pendingRequestFor('alice', 'langgraph-weather');
    const approved = await call('bob', `/v1/requests/${id}/approve`, {
      method: 'POST',
      body: { grantSeconds: 600, reason: 'ok for INC-1234' },
    });
    expect(approved.response.status).toBe(200);

    const { response, body } = await held;
    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe('wait=30');
    expect(body.equals(langgraphTrace)).toBe(true);

    // The reviewers were told, with a signed webhook and a Slack message.
    const [created] = (await deliveries('reviews', id)).filter((d) =>
      d.body.includes('access_request.created'),
    );
    expect(created).toBeDefined();
    const payload = new Webhook(devWebhookSecret()).verify(
      created?.body ?? '',
      created?.headers ?? {},
    );
    expect(payload).toMatchObject({
      type: 'access_request.created',
      data: {
        id,
        reviewUrl: `${e2e.gatewayUrl}/review/${id}`,
        justification: WHY['tracegate-justification'],
      },
    });
    const [slack] = await deliveries('slack', id);
    expect(slack?.body).toContain(`${e2e.gatewayUrl}/review/${id}`);
    expect(slack?.body).toContain('"text":"Review"');

    const rows = await e2e.sql<{ event: string }>(
      `SELECT event FROM audit_events WHERE access_request_id = '${id}' ORDER BY seq`,
    );
    expect(rows.map((r) => r.event)).toEqual(
      expect.arrayContaining([
        'review_created',
        'review_decision',
        'review_approved',
        'grant_used',
      ]),
    );
  });
});

describe('a read without waiting', () => {
  it('answers 202 with Location, and the retried read is served after the approval', async () => {
    const trace = '/restricted/api/public/traces/openai-agents-hello';
    const first = await call('alice', trace, { headers: WHY });
    expect(first.response.status).toBe(202);
    const location = first.response.headers.get('location') ?? '';
    const id = String(first.json().id);
    expect(location).toBe(`/v1/requests/${id}`);
    expect(first.response.headers.get('retry-after')).toBe('1');

    const status = await call('alice', location);
    expect(status.json()).toMatchObject({ status: 'pending', approvalsRequired: 1 });
    expect(
      (await call('bob', `/v1/requests/${id}/approve`, { method: 'POST' })).response.status,
    ).toBe(200);

    const retried = await call('alice', trace);
    expect(retried.response.status).toBe(200);
    expect(retried.body.equals(agentsTrace)).toBe(true);
    // The grant is alice's alone.
    expect((await call('erin', trace, { headers: WHY })).response.status).toBe(202);
  });

  it('is refused with 403 and the reviewer’s reason after a deny', async () => {
    const trace = '/restricted/api/public/traces/e2e-deny-me';
    const id = String((await call('alice', trace, { headers: WHY })).json().id);
    const denied = await call('carol', `/v1/requests/${id}/deny`, {
      method: 'POST',
      body: { reason: 'use the redacted export' },
    });
    expect(denied.response.status).toBe(200);
    expect((await call('alice', `/v1/requests/${id}`)).json()).toMatchObject({
      status: 'denied',
      denyReason: 'use the redacted export',
    });
    const retried = await call('alice', trace, { headers: WHY });
    expect(retried.response.status).toBe(403);
    expect(retried.json()).toMatchObject({
      code: 'review_denied',
      detail: 'A reviewer denied this request: use the redacted export',
    });
  });

  it('needs a justification', async () => {
    const { response, json } = await call('alice', '/restricted/api/public/traces/e2e-why');
    expect(response.status).toBe(400);
    expect(json()).toMatchObject({ code: 'justification_required' });
  });
});

describe('who may decide', () => {
  it('refuses self-approval by a requester who is also a reviewer', async () => {
    const trace = '/restricted/api/public/traces/e2e-self';
    const id = String((await call('erin', trace, { headers: WHY })).json().id);
    const { response, json } = await call('erin', `/v1/requests/${id}/approve`, { method: 'POST' });
    expect(response.status).toBe(403);
    expect(json()).toMatchObject({ code: 'self_approval' });
    expect((await call('erin', `/v1/requests/${id}`)).json()).toMatchObject({ status: 'pending' });
  });

  it('refuses non-reviewers, and hides the request from strangers', async () => {
    const trace = '/restricted/api/public/traces/e2e-non-reviewer';
    const id = String((await call('alice', trace, { headers: WHY })).json().id);
    for (const user of ['dave', 'mallory']) {
      const { response, json } = await call(user, `/v1/requests/${id}/approve`, { method: 'POST' });
      expect(response.status).toBe(403);
      expect(json()).toMatchObject({ code: 'not_a_reviewer' });
    }
    expect((await call('mallory', `/v1/requests/${id}`)).response.status).toBe(404);
    expect((await call('alice', `/v1/requests/${id}`)).json()).toMatchObject({ status: 'pending' });
  });
});
