// The SDK end to end against the real local stack: a read held with
// `Prefer: wait` and woken by an approval made through the SDK, the status
// view as the gateway renders it, and the auditor's query and export.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTracesDir } from '../../local-dev/paths.ts';
import {
  createTracegateClient,
  TracegateTimeoutError,
  type TracegateClient,
} from '../../sdk/index.ts';
import { startE2EStack, type E2EStack } from './support/e2e-stack.ts';

let e2e: E2EStack;
let alice: TracegateClient;
let bob: TracegateClient;
let dave: TracegateClient;
const agentsTrace = readFileSync(path.join(defaultTracesDir, 'langfuse-openai-agents.trace.json'));

beforeAll(async () => {
  e2e = await startE2EStack();
  const client = (user: string): TracegateClient =>
    createTracegateClient({ baseUrl: e2e.gatewayUrl, token: () => e2e.tokenFor(user) });
  alice = client('alice');
  bob = client('bob');
  dave = client('dave');
});

afterAll(async () => {
  await e2e?.close();
});

async function pendingFor(resourceId: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = (await bob.requests.list({ status: 'pending' })).find(
      (r) => r.resourceId === resourceId,
    );
    if (found !== undefined) return found.accessRequestId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pending request for ${resourceId}`);
}

/** Alice asks for a trace without waiting: the SDK's timeout error names the pending request. */
async function pendingRequestOf(traceId: string, justification: string): Promise<string> {
  const error = await alice
    .readTrace({ namespace: 'restricted', traceId, justification, waitSeconds: 0, deadline: 200 })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(TracegateTimeoutError);
  const id = (error as TracegateTimeoutError).accessRequestId ?? '';
  expect(id).not.toBe('');
  return id;
}

describe('the SDK on the real stack', () => {
  it('streams the trace on the held response once a reviewer approves through the SDK', async () => {
    const reading = alice.readTrace({
      namespace: 'restricted',
      traceId: 'openai-agents-hello',
      justification: 'INC-8080: wrong handoff',
      waitSeconds: 30,
    });
    const id = await pendingFor('openai-agents-hello');
    const view = await bob.requests.get(id);
    expect(view).toMatchObject({
      status: 'pending',
      requester: 'alice@example.test',
      namespace: 'restricted',
      justification: 'INC-8080: wrong handoff',
      approvals: 0,
      approvalsRequired: 1,
      reviewerGroups: ['reviewer'],
      reviewUrl: `${e2e.gatewayUrl}/review/${id}`,
    });
    expect(view.expiresAt).toBeGreaterThan(Date.now());

    const approved = await bob.requests.approve(id, { grantSeconds: 300, reason: 'ok' });
    expect(approved?.status).toBe('approved');
    expect(approved?.grantExpiresAt).toBeGreaterThan(Date.now());

    const read = await reading;
    expect(read.response.headers.get('preference-applied')).toBe('wait=30');
    expect(Buffer.from(await new Response(read.body).arrayBuffer()).equals(agentsTrace)).toBe(true);
  });

  it('refuses a self-approval with self_approval, and lets the requester cancel', async () => {
    const id = await pendingRequestOf('langgraph-weather', 'x');
    await expect(alice.requests.approve(id)).rejects.toMatchObject({
      code: 'self_approval',
      status: 403,
    });
    await expect(alice.requests.cancel(id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('carries a justification in any language to the reviewer as written', async () => {
    const why = 'Überprüfung: 顧客の報告 (INC-77)';
    const id = await pendingRequestOf('unicode-justification', why);
    expect(await bob.requests.get(id)).toMatchObject({ justification: why });
    await expect(alice.requests.cancel(id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('lets an auditor page through the audit log and export it', async () => {
    const events: Record<string, unknown>[] = [];
    for await (const page of dave.audit.query({ namespace: 'restricted', limit: 5 })) {
      events.push(...page.events);
    }
    expect(events.length).toBeGreaterThan(5);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['review_created', 'review_approved', 'grant_used']),
    );
    const csv = await dave.audit.export({ format: 'csv', namespace: 'restricted' });
    const text = await new Response(csv.body).text();
    expect(text.split('\n')[0]).toMatch(/^seq,time,at,event,/);
    await expect(alice.audit.export({ format: 'ndjson' })).rejects.toMatchObject({ status: 403 });
  });
});
