// A trace read, steps 1–9 of the request path (ARCHITECTURE.md), in order.
//
// Each step is a call into its own module; this file only sequences them and
// guarantees the invariants that span steps: the decision is in the audit
// before any upstream byte flows (1), nothing is served without an allow (2),
// and every read that started ends with a completion or failure event.
import { GatewayError, causeReason } from '../http/errors.ts';
import { identityErrorCode, type TokenVerifier } from '../identity/verify-access-token.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ambiguousPathReason } from '../routing/ambiguous-path.ts';
import { describeRefusedNames, forwardedQuery, redactedQuery } from '../routing/forwarded-query.ts';
import { resourceFromQuery, type Route, type Router } from '../routing/resolve-route.ts';
import type { Principal } from '../identity/principal.ts';
import { evaluatePolicy } from '../policy/evaluate-policy.ts';
import { fetchUpstream, type UpstreamFetch } from '../proxy/fetch-upstream.ts';
import { callerResponseHeaders } from '../proxy/forward-headers.ts';
import { observeStream, type StreamOutcome } from '../proxy/observe-stream.ts';
import { applyMasking, type MaskingDeps } from './apply-masking.ts';
import { beginRecording, type SessionRecording } from '../recording/session-recorder.ts';
import type { SessionEvent } from '../recording/session-events.ts';
import { holdForReview, type ReviewDeps } from '../review/hold-for-review.ts';

export interface ReadDeps {
  verifier: TokenVerifier;
  router: Router;
  audit: AuditLog;
  secrets: Record<string, unknown>;
  now: () => number;
  waitUntil: (promise: Promise<unknown>) => void;
  upstreamFetch?: UpstreamFetch;
  /** R2 bucket for session recordings (step 8); without it recordings are missing. */
  recordings?: R2Bucket;
  /** Test seam: the multipart part size of recordings (default 8 MiB). */
  recordingPartSize?: number;
  /** Step 7: masking profiles and the pseudonymisation secret. */
  masking?: MaskingDeps;
  /** Step 5: the review flow's bindings; without them a review outcome fails closed. */
  review?: ReviewDeps;
}

type AuditEvent = Parameters<AuditLog['write']>[0];

/**
 * Writes an event that must not delay or fail the response (the failure is
 * logged). An event still being assembled (annotated with its recording)
 * that fails is logged too, never dropped silently.
 */
export function auditLater(deps: ReadDeps, event: AuditEvent | Promise<AuditEvent>): void {
  deps.waitUntil(
    Promise.resolve(event).then(
      (ready) =>
        deps.audit.write(ready).catch((error: unknown) => {
          console.error(`[${ready.requestId}] audit write failed: ${causeReason(error)}`);
        }),
      (error: unknown) => {
        console.error(`audit event could not be assembled: ${causeReason(error)}`);
      },
    ),
  );
}

export async function readTrace(
  request: Request,
  requestId: string,
  deps: ReadDeps,
): Promise<Response> {
  const started = deps.now();
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const base = { requestId, method, path: url.pathname };

  // 1 identity
  const verified = await deps.verifier.verify(request.headers.get('authorization'));
  if (!verified.ok) {
    const code = identityErrorCode(verified.reason);
    auditLater(deps, {
      ...base,
      event: 'auth_failed',
      decision: 'unauthenticated',
      reason: `${verified.reason}: ${verified.detail}`,
    });
    throw new GatewayError(code, { cause: new Error(verified.detail) });
  }
  const principal = verified.principal;

  // 2 route
  const pathRoute = deps.router.resolve(url.pathname);
  if (pathRoute === null) {
    auditLater(deps, {
      ...base,
      event: 'decision',
      principal,
      decision: 'not_found',
      reason: 'no namespace serves this path',
    });
    throw new GatewayError('not_found');
  }
  const { namespace } = pathRoute;
  /** A request refused before the policy is asked (2b–2d): audited, then a 400. */
  const badRequest = (reason: string, publicDetail: string): GatewayError => {
    auditLater(deps, {
      ...base,
      event: 'decision',
      principal,
      namespace: namespace.id,
      decision: 'bad_request',
      reason,
    });
    return new GatewayError('bad_request', { publicDetail });
  };
  // 2b a path the store could read as another one (routing/ambiguous-path.ts)
  const ambiguous = ambiguousPathReason(pathRoute.relativePath);
  if (ambiguous !== null) {
    throw badRequest(
      `ambiguous path: ${ambiguous}`,
      `The path holds ${ambiguous}: a trace store could read it as another path, so it is refused.`,
    );
  }
  // 2c query parameters the namespace does not forward (routing/forwarded-query.ts)
  const query = forwardedQuery(url.search, namespace.query.allow);
  if (!query.ok) {
    const names = describeRefusedNames(query.refused);
    throw badRequest(
      `query parameter not forwarded: ${names}`,
      `This namespace does not forward the query parameter ${names} to its trace store.`,
    );
  }
  // 2d the trace the query names, where a resource template reads it there
  const resolved = resourceFromQuery(pathRoute, query.search);
  if (!resolved.ok) {
    throw badRequest(
      `ambiguous trace id: ${resolved.reason}`,
      `The query is refused: ${resolved.reason}.`,
    );
  }
  const { route } = resolved;
  // From here on, rows record the query the store is sent (credential-like values redacted).
  const scope = {
    ...base,
    path: `${url.pathname}${redactedQuery(query.search)}`,
    principal,
    namespace: namespace.id,
    resourceId: route.resourceId,
  };

  // 3 policy
  const decision = evaluatePolicy(namespace, {
    principal,
    method,
    path: route.relativePath,
    resourceId: route.resourceId,
  });

  // 4 audit: the decision is recorded before anything else happens (awaited).
  await deps.audit.write({
    ...scope,
    event: 'decision',
    decision: decision.outcome,
    ruleId: decision.ruleId,
  });

  const decisionEvent: SessionEvent = {
    type: 'decision',
    at: deps.now(),
    outcome: decision.outcome,
    ruleId: decision.ruleId,
    mask: 'mask' in decision ? (decision.mask ?? null) : null,
  };
  const read: AuthorizedRead = {
    request,
    url,
    search: query.search,
    method,
    route,
    scope,
    started,
    mask: undefined,
    sessionEvents: [decisionEvent],
  };
  switch (decision.outcome) {
    case 'deny':
      throw new GatewayError('access_denied');
    case 'block':
      throw new GatewayError('blocked', { publicDetail: decision.message });
    case 'review':
      // 5 review: a grant, or a held / 202 answer while reviewers decide.
      return holdForReview(read, decision, deps);
    case 'allow':
      return serveTrace({ ...read, mask: decision.mask }, deps);
  }
}

/** A read the policy (or a reviewer) has allowed; its decision row is written. */
export interface AuthorizedRead {
  request: Request;
  url: URL;
  /** The query the store is sent: checked and re-encoded (forwarded-query.ts). */
  search: string;
  method: string;
  route: Route;
  scope: {
    requestId: string;
    method: string;
    path: string;
    principal: Principal;
    namespace: string;
    resourceId: string | null;
  };
  started: number;
  /** The masking profile that applies, if any. */
  mask: string | undefined;
  /** The session's timeline so far (decision, review events): see appendSessionEvent. */
  sessionEvents?: SessionEvent[];
}

/** Steps 6–9: fetch from the store, mask, record, and audit the completion. */
export async function serveTrace(read: AuthorizedRead, deps: ReadDeps): Promise<Response> {
  const { request, method, route, scope, started } = read;
  const { namespace } = route;
  const { requestId } = scope;

  // 6 upstream
  let upstream: Response;
  try {
    upstream = await fetchUpstream({
      upstream: namespace.upstream,
      relativePath: route.relativePath,
      search: read.search,
      incoming: request,
      requestId,
      masked: read.mask !== undefined,
      secrets: deps.secrets,
      ...(deps.upstreamFetch === undefined ? {} : { fetch: deps.upstreamFetch }),
    });
  } catch (error) {
    auditLater(deps, {
      ...scope,
      event: 'failed',
      reason: causeReason(error),
      durationMs: deps.now() - started,
    });
    throw error;
  }

  if (upstream.status === 401 || upstream.status === 407) {
    // The store refused the gateway's own credential: the caller can do nothing about it.
    await upstream.body?.cancel();
    auditLater(deps, {
      ...scope,
      event: 'failed',
      upstreamStatus: upstream.status,
      reason: 'trace store rejected the gateway credential',
      durationMs: deps.now() - started,
    });
    throw new GatewayError('upstream_unavailable');
  }

  const headers = callerResponseHeaders(upstream.headers, requestId);
  // The store's validator describes its raw bytes, not what a masked read
  // serves: a client must not revalidate a masked copy against it, nor learn
  // from it (HEAD included, whatever the content type turns out to be).
  if (read.mask !== undefined) headers.delete('etag');
  const refused = async (error: unknown): Promise<never> => {
    await upstream.body?.cancel().catch(() => undefined);
    auditLater(deps, {
      ...scope,
      event: 'failed',
      upstreamStatus: upstream.status,
      reason: causeReason(error),
      durationMs: deps.now() - started,
    });
    throw error;
  };
  if (upstream.body === null || method === 'HEAD') {
    // HEAD answers as GET would: refused where GET's body could not be masked.
    if (method === 'HEAD') {
      await applyMasking(read.mask, upstream.headers.get('content-type'), null, deps.masking).catch(
        refused,
      );
    }
    await upstream.body?.cancel();
    // 8 record: a session without a body still has a request, decisions and a head.
    const recording = await startRecording(read, upstream.status, headers, null, deps);
    recording.tapEmpty();
    auditLater(
      deps,
      recording.annotate({
        ...scope,
        event: 'completed',
        upstreamStatus: upstream.status,
        status: upstream.status,
        bytes: 0,
        durationMs: deps.now() - started,
      }),
    );
    return new Response(null, { status: upstream.status, headers });
  }

  // The body flows: upstream → 7 mask → 8 record → 9 observe → caller.
  // 7 mask: a refusal (content type the profile cannot mask) stops the read here.
  const masked = await applyMasking(
    read.mask,
    upstream.headers.get('content-type'),
    upstream.body,
    deps.masking,
  ).catch(refused);
  const body = masked.body;

  // 8 record: started before the first byte flows, so a namespace that
  // requires a recording can still refuse the read. It taps the stream the
  // caller gets, so it records what was served: the masked bytes, after 7.
  const recording = await startRecording(read, upstream.status, headers, body, deps);

  // 9 completion, once the caller has the last byte (or the stream broke).
  const onEnd = (outcome: StreamOutcome) => {
    const common = {
      ...scope,
      upstreamStatus: upstream.status,
      status: upstream.status,
      bytes: outcome.bytes,
      durationMs: deps.now() - started,
      maskCounts: masked.counts(),
    };
    if (outcome.kind === 'completed')
      auditLater(deps, recording.annotate({ ...common, event: 'completed' }));
    else if (outcome.kind === 'failed')
      auditLater(
        deps,
        recording.annotate({
          ...common,
          event: 'failed',
          reason: `stream failed: ${causeReason(outcome.error)}`,
        }),
      );
    else
      auditLater(
        deps,
        recording.annotate({
          ...common,
          event: 'failed',
          reason: 'client disconnected before the end',
        }),
      );
  };
  return new Response(observeStream(recording.tap(body), onEnd), {
    status: upstream.status,
    headers,
  });
}

/**
 * Step 8 start. A namespace that requires a recording refuses the read (503
 * recording_unavailable, audited) when the recording cannot be started.
 */
async function startRecording(
  read: AuthorizedRead,
  status: number,
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
  deps: ReadDeps,
): Promise<SessionRecording> {
  const recording = await beginRecording(
    read,
    { status, headers },
    {
      bucket: deps.recordings,
      now: deps.now,
      waitUntil: deps.waitUntil,
      ...(deps.recordingPartSize === undefined ? {} : { partSize: deps.recordingPartSize }),
    },
  );
  if (recording.refusal === null) return recording;
  await body?.cancel().catch(() => undefined);
  auditLater(deps, {
    ...read.scope,
    event: 'failed',
    upstreamStatus: status,
    reason: `recording unavailable: ${recording.refusal.reason}`,
    durationMs: deps.now() - read.started,
  });
  throw new GatewayError('recording_unavailable', { cause: recording.refusal.cause });
}
