// A gateway app for review-flow integration tests inside workerd: real token
// verification against a test issuer, real D1 and Durable Objects, a scripted
// trace store, and helpers to read the audit, the index and the objects.
//
// Namespaces: /lf (trace grants, justification required), /lfreq (request
// grants), /lfns (namespace grants, two approvals). Requesters are in
// `requester`, reviewers in `reviewer` (or `security` on /lfns), auditors in
// `auditor`.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { AccessRequestRpc } from '../../../durable-objects/access-request-contract.ts';
import { createApp } from '../../app.ts';
import { validateGatewayConfig } from '../../config/load.ts';
import type { NotifyTarget } from '../../config/schema.ts';
import { createTestIssuer, type TestIssuer } from '../../../test/support/test-issuer.ts';

export const ORIGIN = 'https://origin.test';
/** The address in the body of every `pii-…` trace the scripted store serves. */
export const PII_EMAIL = 'jane.doe@example.com';
const ORIGIN_SECRET = 'pk-test:sk-test';
const SESSION_SECRET = 'review-harness-session-secret-0123456789';

export interface ReviewHarness {
  idp: TestIssuer;
  /** Requests the trace store received, in order. */
  upstreamRequests: Request[];
  /** Signs a token for `subject` (email `<subject>@example.test` unless given); `as: subject` sends it. */
  token(subject: string, groups: string[], email?: string): Promise<string>;
  send(
    path: string,
    init?: RequestInit & { as?: string; bindings?: Record<string, unknown> },
  ): Promise<{ response: Response; body: string; json: () => Record<string, unknown> }>;
  stub(id: string): AccessRequestRpc & DurableObjectStub;
  auditRows(where: {
    requestId?: string;
    accessRequestId?: string;
  }): Promise<Record<string, unknown>[]>;
  /** The newest index row of a requester (the id of a request a held read opened). */
  latestRequestOf(subject: string): Promise<Record<string, unknown> | null>;
}

function reviewRule(id: string, review: Record<string, unknown>, groups = ['requester']) {
  return { id, match: { groups, methods: ['GET', 'HEAD'] }, outcome: 'review', review };
}

export function reviewConfig(
  issuer: TestIssuer,
  notify: NotifyTarget[] = [],
  gateway: { maxPendingRequests?: number } = {},
) {
  const upstream = {
    origin: ORIGIN,
    kind: 'langfuse',
    timeoutMs: 500,
    credential: { secret: 'TEST_ORIGIN_SECRET', scheme: 'basic' },
  };
  const resources = ['/api/public/traces/:traceId', '/api/public/traces/:traceId/*'];
  return validateGatewayConfig({
    version: 1,
    gateway: { maxWaitSeconds: 30, auditorGroups: ['auditor'], ...gateway },
    masking: { profiles: { strict: { detectors: 'all', otherContentTypes: 'refuse' } } },
    issuers: [
      {
        id: 'test',
        issuer: issuer.issuer,
        jwksUri: issuer.jwksUri,
        audiences: ['tracegate'],
        algorithms: ['RS256'],
      },
    ],
    namespaces: [
      {
        id: 'lf',
        pathPrefix: '/lf',
        upstream,
        resources: [...resources, '/api/public/observations?traceId=:traceId'],
        query: { allow: ['traceId'] },
        notify,
        policy: {
          rules: [
            reviewRule('review-traces', {
              reviewerGroups: ['reviewer'],
              pendingTtlSeconds: 600,
              grantTtlSeconds: 900,
              grantScope: 'trace',
              requireJustification: true,
            }),
          ],
        },
      },
      {
        id: 'lfreq',
        pathPrefix: '/lfreq',
        upstream,
        resources,
        query: { allow: ['page', 'userId'] },
        policy: {
          rules: [
            reviewRule('review-request', {
              reviewerGroups: ['reviewer'],
              grantScope: 'request',
            }),
          ],
        },
      },
      {
        // Masked: what a reviewer releases is still masked on the way out.
        id: 'lfmask',
        pathPrefix: '/lfmask',
        mask: 'strict',
        upstream,
        resources,
        policy: {
          rules: [
            reviewRule('review-masked', { reviewerGroups: ['reviewer'], grantScope: 'trace' }),
          ],
        },
      },
      {
        id: 'lfns',
        pathPrefix: '/lfns',
        upstream,
        resources,
        policy: {
          rules: [
            reviewRule('review-namespace', {
              reviewerGroups: ['reviewer', 'security'],
              approvals: 2,
              grantScope: 'namespace',
            }),
          ],
        },
      },
    ],
  });
}

export async function createReviewHarness(
  options: {
    notify?: NotifyTarget[];
    upstream?: (request: Request) => Response;
    maxPendingRequests?: number;
  } = {},
): Promise<ReviewHarness> {
  const idp = await createTestIssuer();
  const upstreamRequests: Request[] = [];
  const app = createApp({
    config: reviewConfig(
      idp,
      options.notify,
      options.maxPendingRequests === undefined
        ? {}
        : { maxPendingRequests: options.maxPendingRequests },
    ),
    jwksFetch: idp.jwksFetch,
    // Read at call time, so a test's fake Date drives the gateway as it drives the objects.
    now: () => Date.now(),
    upstreamFetch: async (request) => {
      upstreamRequests.push(request);
      if (options.upstream !== undefined) return options.upstream(request);
      const trace = new URL(request.url).pathname.split('/')[4] ?? 'none';
      // A `pii-…` trace carries an email address, for the masked namespace.
      if (trace.startsWith('pii-')) {
        return Response.json({ id: trace, input: `mail ${PII_EMAIL} please` });
      }
      return Response.json({ id: trace, observations: [] });
    },
  });
  const tokens = new Map<string, string>();
  const groupsOf = new Map<string, string[]>();

  const harness: ReviewHarness = {
    idp,
    upstreamRequests,
    async token(subject, groups, email = `${subject}@example.test`) {
      groupsOf.set(subject, groups);
      const token = await idp.sign({ sub: subject, groups, email });
      tokens.set(subject, token);
      return token;
    },
    async send(path, init = {}) {
      const { as, bindings, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as !== undefined) {
        const token = tokens.get(as);
        if (token === undefined) throw new TypeError(`no token for ${as}: call token() first`);
        headers.set('authorization', `Bearer ${token}`);
      }
      const ctx = createExecutionContext();
      const response = await app.request(
        `https://gateway.test${path}`,
        { ...rest, headers },
        // SESSION_SECRET names access request objects (request-slot.ts); set
        // here so a developer's .dev.vars does not decide what a test sees.
        { ...env, TEST_ORIGIN_SECRET: ORIGIN_SECRET, SESSION_SECRET, ...bindings },
        ctx,
      );
      const body = await response.text();
      await waitOnExecutionContext(ctx);
      return { response, body, json: () => JSON.parse(body) as Record<string, unknown> };
    },
    stub(id) {
      return env.ACCESS_REQUESTS.get(env.ACCESS_REQUESTS.idFromString(id));
    },
    async auditRows(where) {
      const column = where.requestId === undefined ? 'access_request_id' : 'request_id';
      const { results } = await env.AUDIT_DB.prepare(
        `SELECT * FROM audit_events WHERE ${column} = ? ORDER BY seq`,
      )
        .bind(where.requestId ?? where.accessRequestId ?? '')
        .all<Record<string, unknown>>();
      return results;
    },
    async latestRequestOf(subject) {
      return env.AUDIT_DB.prepare(
        'SELECT * FROM access_requests WHERE requester_subject = ? AND requester_issuer = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      )
        .bind(subject, idp.issuer)
        .first<Record<string, unknown>>();
    },
  };
  return harness;
}

/** Polls until `probe` returns a value (real time; the tests' fake clock only fakes Date). */
export async function eventually<T>(probe: () => Promise<T | null>, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
