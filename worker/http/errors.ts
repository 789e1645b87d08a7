// One error type for the whole gateway, with a closed list of codes.
//
// Every failure the caller can see is a GatewayError. The wire form is an
// RFC 9457 problem document whose `detail` is deliberately generic; the
// precise cause (`cause`) goes to logs and the audit only, never to the caller.

/** Every code a caller can see, in one closed list (the OpenAPI document's enum). */
export const ERROR_CODES = [
  'unauthenticated',
  'invalid_token',
  'idp_unavailable',
  'access_denied',
  'blocked',
  'not_found',
  'bad_request',
  'justification_required',
  'too_many_pending_requests',
  'review_denied',
  'review_expired',
  'review_cancelled',
  'review_conflict',
  'csrf_failed',
  'not_a_reviewer',
  'self_approval',
  'audit_unavailable',
  'upstream_unavailable',
  'upstream_timeout',
  'masking_failed',
  'recording_unavailable',
  'gateway_misconfigured',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

interface ErrorShape {
  status: number;
  title: string;
  detail: string;
}

/** Maps every code to its status and public text. Exhaustive by construction. */
export function describeError(code: ErrorCode): ErrorShape {
  switch (code) {
    case 'unauthenticated':
      return { status: 401, title: 'Unauthenticated', detail: 'A bearer token is required.' };
    case 'invalid_token':
      return { status: 401, title: 'Invalid token', detail: 'The access token is not valid.' };
    case 'idp_unavailable':
      return {
        status: 503,
        title: 'Identity provider unavailable',
        detail: 'The token could not be verified right now; try again later.',
      };
    case 'access_denied':
      return {
        status: 403,
        title: 'Access denied',
        detail: 'The policy does not allow this read.',
      };
    case 'blocked':
      return { status: 403, title: 'Blocked', detail: 'This read is blocked by policy.' };
    case 'not_found':
      return { status: 404, title: 'Not found', detail: 'No namespace serves this path.' };
    case 'bad_request':
      return { status: 400, title: 'Bad request', detail: 'The request is not valid.' };
    case 'justification_required':
      return {
        status: 400,
        title: 'Justification required',
        detail: 'This read needs a reason: send it in the Tracegate-Justification header.',
      };
    case 'too_many_pending_requests':
      return {
        status: 429,
        title: 'Too many pending access requests',
        detail:
          'You have as many access requests waiting for review as the gateway allows: wait for reviewers, or cancel one.',
      };
    case 'review_denied':
      return { status: 403, title: 'Review denied', detail: 'A reviewer denied this request.' };
    case 'review_expired':
      return { status: 410, title: 'Review expired', detail: 'The access request expired.' };
    case 'review_cancelled':
      return {
        status: 410,
        title: 'Review cancelled',
        detail: 'The access request was cancelled.',
      };
    case 'review_conflict':
      return {
        status: 409,
        title: 'Request already decided',
        detail: 'The access request is no longer pending.',
      };
    case 'csrf_failed':
      return { status: 403, title: 'Invalid form token', detail: 'Reload the page and try again.' };
    case 'not_a_reviewer':
      return {
        status: 403,
        title: 'Not a reviewer',
        detail: 'You are not a reviewer for this request.',
      };
    case 'self_approval':
      return {
        status: 403,
        title: 'Self-approval refused',
        detail: 'Requesters cannot decide their own requests.',
      };
    case 'audit_unavailable':
      return {
        status: 503,
        title: 'Audit unavailable',
        detail: 'The decision could not be recorded, so no data was served.',
      };
    case 'upstream_unavailable':
      return { status: 502, title: 'Bad gateway', detail: 'The trace store could not be reached.' };
    case 'upstream_timeout':
      return {
        status: 504,
        title: 'Gateway timeout',
        detail: 'The trace store did not answer in time.',
      };
    case 'masking_failed':
      return {
        status: 502,
        title: 'Masking failed',
        detail: 'The trace could not be masked safely.',
      };
    case 'recording_unavailable':
      return {
        status: 503,
        title: 'Recording unavailable',
        detail: 'This namespace requires a session recording, which could not be started.',
      };
    case 'gateway_misconfigured':
      return {
        status: 500,
        title: 'Gateway misconfigured',
        detail: 'The gateway is misconfigured.',
      };
    case 'internal_error':
      return { status: 500, title: 'Internal error', detail: 'An internal error occurred.' };
  }
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  /** Public text that replaces the generic detail (e.g. a policy block message). */
  readonly publicDetail: string | undefined;
  /** Extra public members of the problem document (e.g. the review id). */
  readonly extensions: Record<string, unknown>;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    options: {
      cause?: unknown;
      publicDetail?: string;
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.publicDetail = options.publicDetail;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return describeError(this.code).status;
  }
}

/** A short, loggable reason for audit rows: the cause's code or message, never a stack. */
export function causeReason(error: unknown): string {
  if (error instanceof GatewayError) {
    const inner = error.cause === undefined ? '' : `: ${causeReason(error.cause)}`;
    return `${error.code}${inner}`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
