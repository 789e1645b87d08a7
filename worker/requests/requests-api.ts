// The access requests API (bearer-authenticated, JSON):
//
//   GET  /v1/requests?status=&limit=     the caller's requests and those they may review
//   GET  /v1/requests/{id}?wait=N        one request; long-polls while pending
//   POST /v1/requests/{id}/approve       { grantSeconds?, reason? }   reviewers
//   POST /v1/requests/{id}/deny          { reason }                   reviewers
//   POST /v1/requests/{id}/cancel        {}                           the requester
//
// A request is visible to its requester, to members of its reviewer groups
// and to auditors; to anyone else it does not exist (404), so an id cannot
// be probed. Deciding is left to the AccessRequest object, which enforces who
// may decide; its refusals map to stable error codes (refusal-error.ts).
// Bearer tokens travel in a header, never a cookie, so these POSTs need no
// CSRF token.
import { Hono, type Context } from 'hono';
import type {
  AccessRequestRpc,
  AccessRequestView,
  Actor,
} from '../../durable-objects/access-request-contract.ts';
import type { AppEnv } from '../app.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { GatewayError } from '../http/errors.ts';
import { parseOrBadRequest, readJsonBody } from '../http/json-body.ts';
import type { Principal } from '../identity/principal.ts';
import { principalKey } from '../identity/principal.ts';
import type { TokenVerifier } from '../identity/verify-access-token.ts';
import { accessRequestStub } from '../review/access-request-stub.ts';
import { preferredWaitSeconds } from '../review/prefer-wait.ts';
import { listRequests } from '../review/review-index.ts';
import { publicOrigin } from '../session/public-origin.ts';
import { authenticate } from './authenticate.ts';
import { cancelRefusalError, decideRefusalError } from './refusal-error.ts';
import {
  accessRequestListItem,
  accessRequestResource,
  approveBodySchema,
  cancelBodySchema,
  denyBodySchema,
  listQuerySchema,
  waitQuerySchema,
  type AccessRequestListItem,
} from './representation.ts';

export interface RequestsApiOptions {
  config: GatewayConfig;
  verifier: TokenVerifier;
  auditLog: (env: Env) => AuditLog;
}

/** Groups beyond this many are not used to find reviewable requests (a bound on the query). */
const MAX_GROUPS_IN_QUERY = 50;
const NO_STORE = { 'cache-control': 'no-store' };

const notFound = () => new GatewayError('not_found', { publicDetail: 'No such access request.' });

function actorOf(principal: Principal): Actor {
  return {
    issuer: principal.issuer,
    subject: principal.subject,
    email: principal.email,
    groups: principal.groups,
  };
}

export function createRequestsApi(options: RequestsApiOptions) {
  const { config, verifier } = options;
  const { auditorGroups, maxWaitSeconds } = config.gateway;
  const isAuditor = (p: Principal) => p.groups.some((g) => auditorGroups.includes(g));
  const mayView = (view: AccessRequestView, p: Principal) =>
    principalKey(p) === principalKey(view.requester) ||
    p.groups.some((g) => view.reviewerGroups.includes(g)) ||
    isAuditor(p);

  const api = new Hono<AppEnv>();

  const caller = (c: Context<AppEnv>) =>
    authenticate(verifier, c.req.raw, {
      requestId: c.get('requestId'),
      audit: options.auditLog(c.env),
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    });

  /** The request's object and current view, or 404. */
  async function find(
    env: Env,
    id: string,
  ): Promise<{ stub: AccessRequestRpc; view: AccessRequestView }> {
    const stub = accessRequestStub(env.ACCESS_REQUESTS, id);
    const view = stub === null ? null : await stub.view();
    if (stub === null || view === null) throw notFound();
    return { stub, view };
  }

  api.get('/', async (c) => {
    const principal = await caller(c);
    const query = parseOrBadRequest(listQuerySchema, c.req.query());
    const rows = await listRequests(c.env.AUDIT_DB, {
      caller: { ...principal, groups: principal.groups.slice(0, MAX_GROUPS_IN_QUERY) },
      auditor: isAuditor(principal),
      status: query.status,
      limit: query.limit,
    });
    const { origin } = publicOrigin(c.env, c.req.url);
    const requests = rows
      .map((row) => accessRequestListItem(row, origin))
      .filter((item): item is AccessRequestListItem => item !== null);
    return c.json({ requests }, 200, NO_STORE);
  });

  api.get('/:id', async (c) => {
    const principal = await caller(c);
    const { stub, view: found } = await find(c.env, c.req.param('id'));
    if (!mayView(found, principal)) throw notFound();
    const query = parseOrBadRequest(waitQuerySchema, c.req.query());
    const preferred = preferredWaitSeconds(c.req.header('prefer') ?? null, maxWaitSeconds);
    const wait = query.wait === undefined ? preferred : Math.min(query.wait, maxWaitSeconds);
    let view = found;
    let held = true;
    if (wait > 0 && view.status === 'pending') {
      const waited = await stub.waitForDecision(wait * 1000);
      view = waited.view;
      held = !waited.tooManyWaiters;
    }
    const headers: Record<string, string> = { ...NO_STORE };
    if (preferred > 0 && query.wait === undefined && held)
      headers['preference-applied'] = `wait=${preferred}`;
    return c.json(accessRequestResource(view), 200, headers);
  });

  api.post('/:id/approve', async (c) => {
    const principal = await caller(c);
    const body = await readJsonBody(c.req.raw, approveBodySchema);
    const { stub } = await find(c.env, c.req.param('id'));
    const result = await stub.decide(actorOf(principal), 'approve', {
      reason: body.reason ?? null,
      grantTtlSeconds: body.grantSeconds ?? null,
      requestId: c.get('requestId'),
    });
    if (!result.ok) throw decideRefusalError(result.reason, result.view);
    return c.json(accessRequestResource(result.view), 200, NO_STORE);
  });

  api.post('/:id/deny', async (c) => {
    const principal = await caller(c);
    const body = await readJsonBody(c.req.raw, denyBodySchema);
    const { stub } = await find(c.env, c.req.param('id'));
    const result = await stub.decide(actorOf(principal), 'deny', {
      reason: body.reason,
      requestId: c.get('requestId'),
    });
    if (!result.ok) throw decideRefusalError(result.reason, result.view);
    return c.json(accessRequestResource(result.view), 200, NO_STORE);
  });

  api.post('/:id/cancel', async (c) => {
    const principal = await caller(c);
    await readJsonBody(c.req.raw, cancelBodySchema);
    const { stub, view } = await find(c.env, c.req.param('id'));
    if (!mayView(view, principal)) throw notFound();
    const result = await stub.cancel(actorOf(principal), { requestId: c.get('requestId') });
    if (!result.ok) throw cancelRefusalError(result.reason, result.view);
    return c.json(accessRequestResource(result.view), 200, NO_STORE);
  });

  return api;
}
