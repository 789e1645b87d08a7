// A small stand-in for the gateway's HTTP protocol, on a real node:http
// server (127.0.0.1, port 0), for the SDK and CLI tests.
//
// It models what a client can observe: bearer tokens (random, minted per
// test), reads that are allowed or need review, access requests with the
// pending → approved | denied | expired | cancelled state machine, reads held
// with `Prefer: wait`, 202 + Location, long-polled status, grants that let the
// re-sent read through, problem+json errors, the request list and the audit
// API. Tests drive the reviewers (`approve`, `deny`, `expire`) and inject
// faults through `intercept`, and every request is recorded for assertions.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TraceFixture {
  /** The whole body, or a generator of chunks for large or slow traces. */
  body: Uint8Array | string | (() => AsyncIterable<Uint8Array>);
  contentType?: string;
  /** Sent as Content-Length when set (string and byte bodies always send it). */
  contentLength?: number;
  review?: { approvalsRequired?: number; ttlMs?: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  /** The request body (not read for intercepted requests). */
  body: string;
}

export type AccessRequestState = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

export interface FakeAccessRequest {
  id: string;
  user: string;
  path: string;
  justification: string | null;
  status: AccessRequestState;
  createdAt: number;
  expiresAt: number;
  approvalsRequired: number;
  decisions: {
    reviewer: { email: string; subject: string };
    decision: 'approve' | 'deny';
    reason: string | null;
    at: number;
  }[];
  denyReason: string | null;
  waiters: Set<() => void>;
}

export type Interceptor = (
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
) => boolean | Promise<boolean>;

export interface ScriptedGatewayOptions {
  /** The cap on `Prefer: wait` and `?wait=` in seconds (the gateway's maxWaitSeconds). */
  maxWaitSeconds?: number;
  /** Retry-After on 202 and pending status answers, in seconds. */
  retryAfterSeconds?: number;
  /** Who the server says it notified, in the status view (omitted when undefined). */
  notified?: string[];
  /** false: answer reads 202 at once, ignoring `Prefer: wait` (long-polls still hold). */
  holdReads?: boolean;
}

export class ScriptedGateway {
  readonly traces = new Map<string, TraceFixture>();
  readonly requests: RecordedRequest[] = [];
  readonly accessRequests = new Map<string, FakeAccessRequest>();
  readonly auditEvents: Record<string, unknown>[] = [];
  /** token → user name */
  readonly tokens = new Map<string, string>();
  /** Runs first; returns true when it answered the request itself. */
  intercept: Interceptor | undefined;
  readonly options: Required<Omit<ScriptedGatewayOptions, 'notified'>> & {
    notified: string[] | undefined;
  };
  #server = createServer((request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  #newRequestListeners = new Set<(request: FakeAccessRequest) => void>();
  #grants: { user: string; path: string; until: number }[] = [];
  #url = '';

  constructor(options: ScriptedGatewayOptions = {}) {
    this.options = {
      maxWaitSeconds: options.maxWaitSeconds ?? 60,
      retryAfterSeconds: options.retryAfterSeconds ?? 0,
      holdReads: options.holdReads ?? true,
      notified: options.notified,
    };
  }

  static async start(options?: ScriptedGatewayOptions): Promise<ScriptedGateway> {
    const gateway = new ScriptedGateway(options);
    gateway.#server.listen(0, '127.0.0.1');
    await once(gateway.#server, 'listening');
    const { port } = gateway.#server.address() as AddressInfo;
    gateway.#url = `http://127.0.0.1:${port}`;
    return gateway;
  }

  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    for (const request of this.accessRequests.values()) for (const wake of request.waiters) wake();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close').catch(() => undefined);
  }

  /** A fresh random bearer token for `user`. */
  mintToken(user: string): string {
    const token = `tg_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, user);
    return token;
  }

  /** Resolves with the next access request created (or the first already pending). */
  nextAccessRequest(options: { includeExisting?: boolean } = {}): Promise<FakeAccessRequest> {
    if (options.includeExisting === true) {
      for (const request of this.accessRequests.values())
        if (request.status === 'pending') return Promise.resolve(request);
    }
    return new Promise((resolve) => {
      const listener = (request: FakeAccessRequest): void => {
        this.#newRequestListeners.delete(listener);
        resolve(request);
      };
      this.#newRequestListeners.add(listener);
    });
  }

  approve(id: string, reviewer = 'bob@example.com', grantMs = 60_000): void {
    const request = this.#pending(id);
    request.decisions.push({
      reviewer: { email: reviewer, subject: reviewer },
      decision: 'approve',
      reason: null,
      at: Date.now(),
    });
    if (
      request.decisions.filter((d) => d.decision === 'approve').length >= request.approvalsRequired
    ) {
      request.status = 'approved';
      this.#grants.push({ user: request.user, path: request.path, until: Date.now() + grantMs });
    }
    this.#wake(request);
  }

  deny(id: string, reason: string, reviewer = 'bob@example.com'): void {
    const request = this.#pending(id);
    request.decisions.push({
      reviewer: { email: reviewer, subject: reviewer },
      decision: 'deny',
      reason,
      at: Date.now(),
    });
    request.status = 'denied';
    request.denyReason = reason;
    this.#wake(request);
  }

  expire(id: string): void {
    const request = this.#pending(id);
    request.status = 'expired';
    this.#wake(request);
  }

  requestsTo(pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix));
  }

  #pending(id: string): FakeAccessRequest {
    const request = this.accessRequests.get(id);
    if (request === undefined) throw new Error(`no access request ${id}`);
    if (request.status !== 'pending') throw new Error(`access request ${id} is ${request.status}`);
    return request;
  }

  #wake(request: FakeAccessRequest): void {
    for (const wake of [...request.waiters]) wake();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.#url);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...request.headers },
      at: Date.now(),
      body: '',
    };
    this.requests.push(recorded);
    const requestId = `req_${randomBytes(6).toString('hex')}`;
    response.setHeader('x-request-id', requestId);
    if (this.intercept !== undefined && (await this.intercept(request, response, recorded))) return;

    const body = await readBody(request);
    recorded.body = body;
    const user = this.#authenticate(request);
    if (user === undefined) {
      const hasToken = request.headers.authorization !== undefined;
      problem(
        response,
        requestId,
        hasToken ? 'invalid_token' : 'unauthenticated',
        401,
        hasToken ? 'Invalid token' : 'Unauthenticated',
        hasToken ? 'The access token is not valid.' : 'A bearer token is required.',
        {
          'www-authenticate': 'Bearer realm="tracegate"',
        },
      );
      return;
    }

    const method = recorded.method;
    const path = url.pathname;
    const requestMatch = /^\/v1\/requests\/([^/]+)(?:\/(approve|deny|cancel))?$/.exec(path);
    if (path === '/v1/requests' && method === 'GET') {
      const status = url.searchParams.get('status');
      const list = [...this.accessRequests.values()].filter(
        (r) => status === null || r.status === status,
      );
      json(response, 200, { requests: list.map((r) => this.#view(r)) });
      return;
    }
    if (requestMatch !== null) {
      const id = decodeURIComponent(requestMatch[1] ?? '');
      const accessRequest = this.accessRequests.get(id);
      if (accessRequest === undefined) {
        problem(response, requestId, 'not_found', 404, 'Not found', 'No such access request.');
        return;
      }
      const action = requestMatch[2];
      if (action === undefined && method === 'GET') {
        const wait = Math.min(
          Number(url.searchParams.get('wait') ?? '0') || 0,
          this.options.maxWaitSeconds,
        );
        if (accessRequest.status === 'pending' && wait > 0)
          await this.#waitForDecision(accessRequest, wait * 1000, request);
        if (accessRequest.status === 'pending')
          response.setHeader('retry-after', String(this.options.retryAfterSeconds));
        json(response, 200, this.#view(accessRequest));
        return;
      }
      if (method === 'POST' && action !== undefined) {
        if (accessRequest.status !== 'pending') {
          problem(
            response,
            requestId,
            'review_conflict',
            409,
            'Request already decided',
            'The access request is no longer pending.',
          );
          return;
        }
        const input = parseJson(body);
        if (action === 'approve') {
          if (accessRequest.user === user) {
            problem(
              response,
              requestId,
              'self_approval',
              403,
              'Self-approval refused',
              'Requesters cannot decide their own requests.',
            );
            return;
          }
          const grantSeconds = typeof input.grantSeconds === 'number' ? input.grantSeconds : 3600;
          this.approve(id, user, grantSeconds * 1000);
        } else if (action === 'deny') {
          if (typeof input.reason !== 'string' || input.reason === '') {
            problem(
              response,
              requestId,
              'bad_request',
              400,
              'Bad request',
              'A deny needs a reason.',
            );
            return;
          }
          this.deny(id, input.reason, user);
        } else {
          accessRequest.status = 'cancelled';
          this.#wake(accessRequest);
        }
        json(response, 200, this.#view(accessRequest));
        return;
      }
    }
    if (path === '/v1/audit' && method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? '2');
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const events = this.auditEvents.slice(start, start + limit);
      const next = start + limit < this.auditEvents.length ? String(start + limit) : null;
      json(response, 200, { events, nextCursor: next });
      return;
    }
    if (path === '/v1/audit/export' && method === 'GET') {
      const format = url.searchParams.get('format');
      response.writeHead(200, {
        'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      });
      if (format === 'csv') {
        response.write('at,event,actor\n');
        for (const e of this.auditEvents)
          response.write(`${String(e.at)},${String(e.event)},${String(e.actorEmail)}\n`);
      } else {
        for (const e of this.auditEvents) response.write(`${JSON.stringify(e)}\n`);
      }
      response.end();
      return;
    }

    const trace = this.traces.get(path);
    if (trace === undefined) {
      problem(response, requestId, 'not_found', 404, 'Not found', 'No namespace serves this path.');
      return;
    }
    if (trace.review === undefined || this.#hasGrant(user, path)) {
      await sendTrace(response, trace);
      return;
    }
    const justification = headerValue(request.headers['tracegate-justification']) ?? null;
    const accessRequest = this.#createAccessRequest(user, path, justification, trace.review);
    const prefer = /(?:^|[,;\s])wait=(\d+)/.exec(headerValue(request.headers.prefer) ?? '');
    const wait =
      prefer === null || !this.options.holdReads
        ? 0
        : Math.min(Number(prefer[1]), this.options.maxWaitSeconds);
    if (wait > 0) {
      response.setHeader('preference-applied', `wait=${wait}`);
      await this.#waitForDecision(accessRequest, wait * 1000, request);
      if (accessRequest.status === 'approved') {
        await sendTrace(response, trace);
        return;
      }
      if (accessRequest.status === 'denied') {
        problem(
          response,
          requestId,
          'review_denied',
          403,
          'Review denied',
          // Worded as worker/review/hold-for-review.ts words it.
          `A reviewer denied this request: ${accessRequest.denyReason ?? 'no reason given'}`,
        );
        return;
      }
      if (accessRequest.status === 'expired') {
        problem(
          response,
          requestId,
          'review_expired',
          410,
          'Review expired',
          'The access request expired.',
        );
        return;
      }
    }
    response.setHeader('location', `/v1/requests/${accessRequest.id}`);
    response.setHeader('retry-after', String(this.options.retryAfterSeconds));
    json(response, 202, {
      id: accessRequest.id,
      status: accessRequest.status,
      reviewUrl: `${this.#url}/review/${accessRequest.id}`,
      expiresAt: new Date(accessRequest.expiresAt).toISOString(),
      approvalsRequired: accessRequest.approvalsRequired,
      approvals: 0,
    });
  }

  #authenticate(request: IncomingMessage): string | undefined {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    return match?.[1] === undefined ? undefined : this.tokens.get(match[1]);
  }

  #hasGrant(user: string, path: string): boolean {
    return this.#grants.some((g) => g.user === user && g.path === path && g.until > Date.now());
  }

  #createAccessRequest(
    user: string,
    path: string,
    justification: string | null,
    review: NonNullable<TraceFixture['review']>,
  ): FakeAccessRequest {
    const now = Date.now();
    const accessRequest: FakeAccessRequest = {
      id: `ar_${randomBytes(9).toString('base64url')}`,
      user,
      path,
      justification,
      status: 'pending',
      createdAt: now,
      expiresAt: now + (review.ttlMs ?? 15 * 60_000),
      approvalsRequired: review.approvalsRequired ?? 1,
      decisions: [],
      denyReason: null,
      waiters: new Set(),
    };
    this.accessRequests.set(accessRequest.id, accessRequest);
    for (const listener of [...this.#newRequestListeners]) listener(accessRequest);
    return accessRequest;
  }

  /** Holds until the request leaves pending, `ms` pass, or the client goes away. */
  #waitForDecision(
    accessRequest: FakeAccessRequest,
    ms: number,
    request: IncomingMessage,
  ): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        accessRequest.waiters.delete(done);
        request.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      accessRequest.waiters.add(done);
      request.socket.once('close', done);
    });
  }

  #view(r: FakeAccessRequest): Record<string, unknown> {
    return {
      id: r.id,
      status: r.status,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      requester: {
        issuer: 'test',
        subject: r.user,
        email: `${r.user}@example.com`,
        groups: ['requester'],
      },
      namespace: r.path.split('/')[1] ?? '',
      method: 'GET',
      path: r.path,
      resourceId: r.path.split('/').pop() ?? null,
      ruleId: 'needs-review',
      justification: r.justification,
      approvalsRequired: r.approvalsRequired,
      reviewerGroups: ['reviewer'],
      decisions: r.decisions.map((d) => ({
        ...d,
        reviewer: { issuer: 'test', groups: ['reviewer'], ...d.reviewer },
      })),
      grant: null,
      denyReason: r.denyReason,
      reviewUrl: `${this.#url}/review/${r.id}`,
      ...(this.options.notified === undefined ? {} : { notified: this.options.notified }),
    };
  }
}

async function sendTrace(response: ServerResponse, trace: TraceFixture): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': trace.contentType ?? 'application/json',
  };
  if (typeof trace.body === 'function') {
    if (trace.contentLength !== undefined) headers['content-length'] = String(trace.contentLength);
    response.writeHead(200, headers);
    for await (const chunk of trace.body()) {
      if (response.destroyed) return;
      if (!response.write(chunk)) await once(response, 'drain');
    }
    response.end();
    return;
  }
  const bytes = typeof trace.body === 'string' ? Buffer.from(trace.body) : Buffer.from(trace.body);
  headers['content-length'] = String(bytes.byteLength);
  response.writeHead(200, headers);
  response.end(bytes);
}

export function problem(
  response: ServerResponse,
  requestId: string,
  code: string,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(
    JSON.stringify({
      type: `https://tracegate.dev/problems/${code}`,
      title,
      status,
      detail,
      code,
      requestId,
    }),
  );
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `count` chunks of `size` bytes, `delayMs` apart: a large trace arriving slowly. */
export function slowChunks(
  count: number,
  size: number,
  delayMs: number,
): () => AsyncIterable<Uint8Array> {
  return async function* () {
    for (let i = 0; i < count; i += 1) {
      yield new Uint8Array(size).fill(97 + (i % 26));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  };
}
