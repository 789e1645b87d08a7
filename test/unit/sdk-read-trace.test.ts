// The SDK's review flow against a scripted gateway on a real socket.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTracegateClient,
  TracegateError,
  TracegateNetworkError,
  TracegateTimeoutError,
  type ReviewStatus,
  type TracegateClient,
} from '../../sdk/index.ts';
import { ScriptedGateway } from './support/scripted-gateway.ts';

const TRACE = JSON.stringify({
  id: 'trace-1',
  observations: [{ type: 'GENERATION', output: 'hello' }],
});
const REVIEWED = '/secure/api/public/traces/trace-1';

let gateway: ScriptedGateway;
let token: string;

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

function client(options: { token?: string | (() => Promise<string>) } = {}): TracegateClient {
  return createTracegateClient({ baseUrl: gateway.url, token: options.token ?? token });
}

async function startWith(
  options: ConstructorParameters<typeof ScriptedGateway>[0] = {},
): Promise<void> {
  gateway = await ScriptedGateway.start(options);
  token = gateway.mintToken('alice');
  gateway.traces.set('/open/api/public/traces/trace-1', { body: TRACE });
  gateway.traces.set(REVIEWED, { body: TRACE, review: {} });
}

afterEach(async () => {
  await gateway.close();
});

describe('a read the policy allows', () => {
  beforeEach(() => startWith());

  it('streams the trace with the bearer token, a user agent and the justification', async () => {
    const read = await client().readTrace({
      namespace: 'open',
      traceId: 'trace-1',
      justification: 'INC-42',
    });
    expect(await text(read.body)).toBe(TRACE);
    expect(read.accessRequestId).toBeUndefined();
    expect(read.requestId).toMatch(/^req_/);
    const [sent] = gateway.requests;
    expect(sent?.path).toBe('/open/api/public/traces/trace-1');
    expect(sent?.headers.authorization).toBe(`Bearer ${token}`);
    expect(sent?.headers['tracegate-justification']).toBe('INC-42');
    expect(sent?.headers['user-agent']).toMatch(/tracegate-sdk\//);
    expect(sent?.headers.prefer).toBe('wait=30');
  });

  it('reads any path below the gateway, with the trace id escaped in templates', async () => {
    gateway.traces.set('/otlp/ndjson/traces/a%2Fb', { body: 'x\n' });
    const byPath = await client().readTrace({ path: '/otlp/ndjson/traces/a%2Fb' });
    expect(await text(byPath.body)).toBe('x\n');
    const byTemplate = await client().readTrace({
      namespace: 'otlp',
      traceId: 'a/b',
      tracePath: '/ndjson/traces/{traceId}',
    });
    expect(await text(byTemplate.body)).toBe('x\n');
  });
});

describe('a read that needs review', () => {
  it('is held with Prefer: wait and streams on the same response when approved', async () => {
    await startWith();
    const statuses: ReviewStatus[] = [];
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 10,
      onPending: (s) => statuses.push(s),
    });
    const pending = await gateway.nextAccessRequest();
    gateway.approve(pending.id);
    const read = await reading;
    expect(await text(read.body)).toBe(TRACE);
    expect(gateway.requests.map((r) => r.path)).toEqual([REVIEWED]);
    expect(gateway.requests[0]?.headers.prefer).toBe('wait=10');
    expect(read.response.headers.get('preference-applied')).toBe('wait=10');
    expect(statuses).toEqual([]);
  });

  it('with holdRead: false, learns the access request at once and holds the polls instead', async () => {
    await startWith();
    const statuses: ReviewStatus[] = [];
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 10,
      holdRead: false,
      onPending: (s) => statuses.push(s),
    });
    const pending = await gateway.nextAccessRequest();
    await until(() => pending.waiters.size > 0);
    expect(statuses[0]?.accessRequestId).toBe(pending.id);
    gateway.approve(pending.id);
    expect(await text((await reading).body)).toBe(TRACE);
    expect(gateway.requests[0]?.headers.prefer).toBeUndefined();
    expect(gateway.requests.at(-2)?.query.get('wait')).toBe('10');
  });

  it('follows 202 and Location, long-polls, and re-sends the read once approved', async () => {
    await startWith({ holdReads: false });
    const statuses: ReviewStatus[] = [];
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 5,
      onPending: (s) => statuses.push(s),
    });
    const pending = await gateway.nextAccessRequest();
    await until(() => pending.waiters.size > 0);
    gateway.approve(pending.id);
    const read = await reading;
    expect(await text(read.body)).toBe(TRACE);
    expect(read.accessRequestId).toBe(pending.id);
    const poll = `/v1/requests/${pending.id}`;
    expect(gateway.requests.map((r) => r.path)).toEqual([REVIEWED, poll, poll, REVIEWED]);
    // The first poll fetches the full view at once; the next one is held.
    expect(gateway.requests[1]?.query.get('wait')).toBe('0');
    expect(gateway.requests[2]?.query.get('wait')).toBe('5');
    expect(statuses.map((s) => s.status)).toEqual(['pending', 'pending', 'approved']);
    expect(statuses[1]?.reviewerGroups).toEqual(['reviewer']);
    expect(statuses[0]).toMatchObject({
      accessRequestId: pending.id,
      approvals: 0,
      approvalsRequired: 1,
    });
    expect(statuses[0]?.reviewUrl).toBe(`${gateway.url}/review/${pending.id}`);
    expect(statuses[0]?.expiresAt).toBe(pending.expiresAt);
    expect(gateway.accessRequests.size).toBe(1);
  });

  it('counts approvals as they arrive when a rule needs two', async () => {
    await startWith({ holdReads: false });
    gateway.traces.set(REVIEWED, { body: TRACE, review: { approvalsRequired: 2 } });
    const statuses: ReviewStatus[] = [];
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 5,
      onPending: (s) => statuses.push(s),
    });
    const pending = await gateway.nextAccessRequest();
    await until(() => pending.waiters.size > 0);
    gateway.approve(pending.id, 'bob@example.com');
    await until(() => pending.waiters.size > 0);
    gateway.approve(pending.id, 'carol@example.com');
    await text((await reading).body);
    expect(statuses.map((s) => [s.status, s.approvals])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 1],
      ['approved', 2],
    ]);
  });

  it('honours Retry-After before the first status poll', async () => {
    await startWith({ holdReads: false, retryAfterSeconds: 1 });
    const reading = client().readTrace({ namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.approve(pending.id);
    await text((await reading).body);
    const [read, poll] = gateway.requests;
    expect((poll?.at ?? 0) - (read?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('paces status polls at one a second when the gateway does not hold them', async () => {
    await startWith({ holdReads: false, maxWaitSeconds: 0 });
    const reading = client().readTrace({ namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length >= 4);
    gateway.approve(pending.id);
    await text((await reading).body);
    const polls = gateway.requestsTo('/v1/requests/').map((r) => r.at);
    // polls[0] is the quick first look; every poll after the next one is paced.
    for (let i = 2; i < polls.length; i += 1) {
      expect((polls[i] ?? 0) - (polls[i - 1] ?? 0)).toBeGreaterThanOrEqual(950);
    }
  });

  it('ends with review_denied (403) and the reviewer reason when denied during the hold', async () => {
    await startWith();
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 10,
    });
    gateway.deny((await gateway.nextAccessRequest()).id, 'not for this incident');
    const error = await reading.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TracegateError);
    expect(error).toMatchObject({
      code: 'review_denied',
      status: 403,
      detail: 'A reviewer denied this request: not for this incident',
    });
  });

  it('ends with review_denied and the reviewer reason when denied while polling', async () => {
    await startWith({ holdReads: false });
    const reading = client().readTrace({ namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.deny(pending.id, 'use the redacted copy');
    const error = await reading.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'review_denied',
      status: 403,
      detail: 'A reviewer denied this request: use the redacted copy',
    });
    expect((error as TracegateError).extensions).toEqual({
      accessRequestId: pending.id,
      reason: 'use the redacted copy',
    });
    expect(gateway.requests.filter((r) => r.path === REVIEWED)).toHaveLength(1);
  });

  it('ends with review_expired (410) when the request expires', async () => {
    await startWith({ holdReads: false });
    const reading = client().readTrace({ namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.expire(pending.id);
    await expect(reading).rejects.toMatchObject({ code: 'review_expired', status: 410 });
  });

  it('keeps polling the same access request after the connection drops mid-wait', async () => {
    await startWith({ holdReads: false });
    let drops = 0;
    gateway.intercept = (request) => {
      if (request.url?.startsWith('/v1/requests/') === true && drops < 2) {
        drops += 1;
        setTimeout(() => request.socket.destroy(), 100);
        return true;
      }
      return false;
    };
    const reading = client().readTrace({ namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length >= 4);
    gateway.approve(pending.id);
    const read = await reading;
    expect(await text(read.body)).toBe(TRACE);
    const polls = gateway.requestsTo('/v1/requests/');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(polls.map((p) => p.path))).toEqual(new Set([`/v1/requests/${pending.id}`]));
    expect(gateway.accessRequests.size).toBe(1);
  });

  it('gives up at the deadline with the access request id, and resumeRead picks the wait up', async () => {
    await startWith({ holdReads: false });
    const original = { namespace: 'secure', traceId: 'trace-1', waitSeconds: 5 } as const;
    const started = Date.now();
    const error = await client()
      .readTrace({ ...original, deadline: 1_500 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TracegateTimeoutError);
    const timeoutError = error as TracegateTimeoutError;
    expect(timeoutError.code).toBe('deadline_exceeded');
    const [pending] = gateway.accessRequests.values();
    expect(timeoutError.accessRequestId).toBe(pending?.id);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(4_000);

    const resuming = client().resumeRead(timeoutError.accessRequestId ?? '', original);
    await until(() => (pending?.waiters.size ?? 0) > 0);
    gateway.approve(pending?.id ?? '');
    expect(await text((await resuming).body)).toBe(TRACE);
    expect(gateway.accessRequests.size).toBe(1);
  });

  it('caps the hold at the time left before the deadline', async () => {
    await startWith();
    const error = await client()
      .readTrace({
        namespace: 'secure',
        traceId: 'trace-1',
        waitSeconds: 30,
        deadline: new Date(Date.now() + 2_500),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TracegateTimeoutError);
    expect(gateway.requests[0]?.headers.prefer).toBe('wait=2');
    expect((error as TracegateTimeoutError).accessRequestId).toBe(
      [...gateway.accessRequests.keys()][0],
    );
  });

  it('asks the token function for a token on every attempt', async () => {
    await startWith({ holdReads: false });
    let calls = 0;
    const rotating = (): Promise<string> => {
      calls += 1;
      return Promise.resolve(gateway.mintToken('alice'));
    };
    const reading = client({ token: rotating }).readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 5,
    });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.approve(pending.id);
    await text((await reading).body);
    expect(calls).toBe(gateway.requests.length);
    const sentTokens = gateway.requests.map((r) => r.headers.authorization);
    expect(new Set(sentTokens).size).toBe(gateway.requests.length);
  });

  it('retries once with a fresh token after a 401', async () => {
    await startWith();
    const tokens = ['tg_expired_token_value_0000', token];
    let calls = 0;
    const read = await client({ token: () => Promise.resolve(tokens[calls++] ?? '') }).readTrace({
      namespace: 'open',
      traceId: 'trace-1',
    });
    expect(await text(read.body)).toBe(TRACE);
    expect(calls).toBe(2);
  });

  it('stops waiting when the caller aborts', async () => {
    await startWith({ holdReads: false });
    const controller = new AbortController();
    const reading = client().readTrace({
      namespace: 'secure',
      traceId: 'trace-1',
      waitSeconds: 5,
      signal: controller.signal,
    });
    await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    controller.abort(new Error('user pressed ^C'));
    await expect(reading).rejects.toThrow('user pressed ^C');
  });
});

describe('a network failure', () => {
  it('is a TracegateNetworkError with the cause, and no retry of the first read', async () => {
    await startWith();
    const url = gateway.url;
    await gateway.close();
    const error = await createTracegateClient({ baseUrl: url, token })
      .readTrace({ namespace: 'open', traceId: 'trace-1' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TracegateNetworkError);
    expect((error as TracegateNetworkError).cause).toBeInstanceOf(Error);
    expect((error as TracegateNetworkError).message).toContain('ECONNREFUSED');
    gateway = await ScriptedGateway.start();
  });
});

/** Polls `condition` every 10 ms (the server side of the test runs on the same loop). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
