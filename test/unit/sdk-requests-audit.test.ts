// The reviewer and auditor APIs: requests.* and audit.*.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracegateClient, type AuditPage, type TracegateClient } from '../../sdk/index.ts';
import { ScriptedGateway } from './support/scripted-gateway.ts';

let gateway: ScriptedGateway;
let alice: TracegateClient;
let bob: TracegateClient;

beforeEach(async () => {
  gateway = await ScriptedGateway.start({ holdReads: false });
  gateway.traces.set('/secure/t/1', { body: 'trace', review: {} });
  alice = createTracegateClient({ baseUrl: gateway.url, token: gateway.mintToken('alice') });
  bob = createTracegateClient({ baseUrl: gateway.url, token: gateway.mintToken('bob') });
});

afterEach(async () => {
  await gateway.close();
});

async function pendingRequestId(): Promise<string> {
  // A read that gives up at once leaves its access request pending.
  const error = await alice
    .readTrace({ path: '/secure/t/1', waitSeconds: 0, deadline: 100, justification: 'INC-7' })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toMatchObject({ code: 'deadline_exceeded' });
  const [only] = gateway.accessRequests.keys();
  return only ?? '';
}

describe('requests', () => {
  it('lists pending requests with who asks, for what and why', async () => {
    const id = await pendingRequestId();
    const list = await bob.requests.list({ status: 'pending' });
    expect(gateway.requests.at(-1)?.query.get('status')).toBe('pending');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      accessRequestId: id,
      status: 'pending',
      requester: 'alice@example.com',
      path: '/secure/t/1',
      justification: 'INC-7',
      approvalsRequired: 1,
      reviewerGroups: ['reviewer'],
    });
  });

  it('approves with a grant duration and a reason', async () => {
    const id = await pendingRequestId();
    const view = await bob.requests.approve(id, { grantSeconds: 600, reason: 'on call' });
    expect(view?.status).toBe('approved');
    expect(view?.decisions[0]).toMatchObject({ reviewer: 'bob', decision: 'approve' });
    const sent = gateway.requests.at(-1);
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe(`/v1/requests/${id}/approve`);
    expect(sent?.headers['content-type']).toBe('application/json');
  });

  it('denies with a reason, and the requester sees it', async () => {
    const id = await pendingRequestId();
    await bob.requests.deny(id, { reason: 'not this one' });
    expect(await alice.requests.get(id)).toMatchObject({
      status: 'denied',
      denyReason: 'not this one',
    });
  });

  it('long-polls a status with wait', async () => {
    const id = await pendingRequestId();
    const polling = alice.requests.get(id, { wait: 5 });
    setTimeout(() => gateway.approve(id), 200);
    expect((await polling).status).toBe('approved');
    expect(gateway.requests.at(-1)?.query.get('wait')).toBe('5');
  });

  it('cancels a pending request', async () => {
    const id = await pendingRequestId();
    expect((await alice.requests.cancel(id))?.status).toBe('cancelled');
  });

  it('reports a refused self-approval as self_approval (403)', async () => {
    const id = await pendingRequestId();
    await expect(alice.requests.approve(id)).rejects.toMatchObject({
      code: 'self_approval',
      status: 403,
    });
  });

  it('reports a decision on a decided request as review_conflict (409)', async () => {
    const id = await pendingRequestId();
    await bob.requests.deny(id, { reason: 'no' });
    await expect(bob.requests.approve(id)).rejects.toMatchObject({
      code: 'review_conflict',
      status: 409,
    });
  });

  it('refuses a deny without a reason before sending anything', () => {
    expect(() => bob.requests.deny('ar_1', { reason: ' ' })).toThrow(TypeError);
  });
});

describe('audit', () => {
  beforeEach(() => {
    for (let i = 0; i < 5; i += 1)
      gateway.auditEvents.push({
        at: 1_700_000_000_000 + i,
        event: 'decision',
        actorEmail: `user${i}@example.com`,
      });
  });

  it('walks every cursor page, one request per page, with the filters', async () => {
    const pages: AuditPage[] = [];
    for await (const page of bob.audit.query({
      limit: 2,
      namespace: 'secure',
      actor: 'alice',
      from: new Date(0),
      to: '2030-01-01T00:00:00Z',
    })) {
      pages.push(page);
    }
    expect(pages.map((p) => p.events.length)).toEqual([2, 2, 1]);
    const queries = gateway.requestsTo('/v1/audit').map((r) => r.query);
    expect(queries.map((q) => q.get('cursor'))).toEqual([null, '2', '4']);
    expect(queries[0]?.get('namespace')).toBe('secure');
    expect(queries[0]?.get('from')).toBe('1970-01-01T00:00:00.000Z');
    expect(queries[0]?.get('to')).toBe('2030-01-01T00:00:00.000Z');
  });

  it('fetches pages lazily', async () => {
    for await (const page of bob.audit.query({ limit: 2 })) {
      expect(page.events).toHaveLength(2);
      break;
    }
    expect(gateway.requestsTo('/v1/audit')).toHaveLength(1);
  });

  it('streams an export in the format asked for', async () => {
    const ndjson = await bob.audit.export({ format: 'ndjson' });
    expect((await new Response(ndjson.body).text()).trim().split('\n')).toHaveLength(5);
    const csv = await bob.audit.export({ format: 'csv', namespace: 'secure' });
    expect(await new Response(csv.body).text()).toMatch(/^at,event,actor\n/);
    expect(gateway.requests.at(-1)?.query.get('format')).toBe('csv');
  });
});
