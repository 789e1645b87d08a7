// Typed errors of the SDK.
//
// One class, TracegateError, carries the fields of the gateway's RFC 9457
// problem documents (`code`, `status`, `title`, `detail`, `requestId`), so
// callers branch on the stable `code`, never on message text. Two subclasses
// cover what happens on the client's side of the wire: the deadline passing
// while a review is pending (with the access request id, to resume later) and
// the network failing (with the original error as `cause`).
//
// Messages never contain the bearer token: every message built from text the
// SDK did not write (a server's detail, a network error) goes through
// `redactSecrets` with the tokens used for that call.

/** The gateway's closed list (worker/http/errors.ts), plus the SDK's own codes. */
export type GatewayErrorCode =
  | 'unauthenticated'
  | 'invalid_token'
  | 'idp_unavailable'
  | 'access_denied'
  | 'blocked'
  | 'not_found'
  | 'bad_request'
  | 'justification_required'
  | 'too_many_pending_requests'
  | 'review_denied'
  | 'review_expired'
  | 'review_cancelled'
  | 'review_conflict'
  | 'csrf_failed'
  | 'not_a_reviewer'
  | 'self_approval'
  | 'audit_unavailable'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'masking_failed'
  | 'recording_unavailable'
  | 'gateway_misconfigured'
  | 'internal_error';

export type ClientErrorCode =
  /** The deadline passed while a review was pending. */
  | 'deadline_exceeded'
  /** The gateway could not be reached, or the connection broke. */
  | 'network_error'
  /** The token function threw or returned an empty token. */
  | 'token_unavailable'
  /** The gateway answered something the protocol does not allow. */
  | 'unexpected_response';

/** Known codes autocomplete; a newer gateway's code still type-checks. */
export type TracegateErrorCode = GatewayErrorCode | ClientErrorCode | (string & {});

export interface ProblemFields {
  code: TracegateErrorCode;
  /** HTTP status of the response; undefined when there was none. */
  status: number | undefined;
  title: string;
  detail: string;
  /** The gateway's request id (`requestId` in the problem, or `x-request-id`). */
  requestId: string | undefined;
  /** The problem `type` URI, when the gateway sent one. */
  type?: string | undefined;
  /** Other members of the problem document (e.g. an access request id). */
  extensions?: Record<string, unknown>;
}

export class TracegateError extends Error {
  readonly code: TracegateErrorCode;
  readonly status: number | undefined;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly type: string | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(fields: ProblemFields, options: { cause?: unknown } = {}) {
    super(formatProblem(fields), options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'TracegateError';
    this.code = fields.code;
    this.status = fields.status;
    this.title = fields.title;
    this.detail = fields.detail;
    this.requestId = fields.requestId;
    this.type = fields.type;
    this.extensions = fields.extensions ?? {};
  }
}

/** The deadline passed while the access request was still pending. */
export class TracegateTimeoutError extends TracegateError {
  /** Pass it to `client.resumeRead` to pick the wait up again later. */
  readonly accessRequestId: string | undefined;

  constructor(accessRequestId: string | undefined, requestId: string | undefined) {
    super({
      code: 'deadline_exceeded',
      status: undefined,
      title: 'Deadline exceeded',
      detail:
        accessRequestId === undefined
          ? 'The deadline passed before the gateway answered.'
          : `The deadline passed while access request ${accessRequestId} was pending; resume it later with its id.`,
      requestId,
    });
    this.name = 'TracegateTimeoutError';
    this.accessRequestId = accessRequestId;
  }
}

/** The gateway could not be reached or the connection broke; `cause` has the original error. */
export class TracegateNetworkError extends TracegateError {
  /** Set when the failure happened while an access request was pending. */
  readonly accessRequestId: string | undefined;

  constructor(url: string, cause: unknown, secrets: readonly string[], accessRequestId?: string) {
    super(
      {
        code: 'network_error',
        status: undefined,
        title: 'Network error',
        detail: redactSecrets(`${url}: ${describeCause(cause)}`, secrets),
        requestId: undefined,
      },
      { cause: redactedCause(cause, secrets) },
    );
    this.name = 'TracegateNetworkError';
    this.accessRequestId = accessRequestId;
  }
}

/** `title: detail (code, requestId)` — the one-line form the CLI prints too. */
export function formatProblem(
  fields: Pick<ProblemFields, 'title' | 'detail' | 'code' | 'requestId'>,
): string {
  const where =
    fields.requestId === undefined ? fields.code : `${fields.code}, ${fields.requestId}`;
  return `${fields.title}: ${fields.detail} (${where})`;
}

/** Replaces every occurrence of each secret (tokens) in `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real bearer tokens are long.
    if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // undici puts the useful part (ECONNREFUSED, socket closed) in `cause`.
    const inner: unknown = cause.cause;
    const innerText =
      inner instanceof Error
        ? ` (${typeof (inner as { code?: unknown }).code === 'string' ? `${String((inner as { code?: unknown }).code)}: ` : ''}${inner.message})`
        : '';
    return `${cause.message}${innerText}`;
  }
  return String(cause);
}

/** The cause itself, unless its message carries a secret; then a clean copy. */
function redactedCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  const text = describeCause(cause);
  if (redactSecrets(text, secrets) === text) return cause;
  const clean = new Error(redactSecrets(cause.message, secrets));
  clean.name = cause.name;
  return clean;
}
