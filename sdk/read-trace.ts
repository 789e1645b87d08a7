// Reading a trace, with the review flow handled for the caller.
//
// The protocol (ARCHITECTURE.md, "Client experience while a review is
// pending"): the read is sent with `Prefer: wait=N` (RFC 7240 §4.3), so the
// gateway can hold it and stream the trace on the same response if a reviewer
// approves in time. Otherwise the gateway answers `202 Accepted` with
// `Location: /v1/requests/{id}`; the SDK long-polls that status with `?wait=N`
// and, once approved, re-sends the original read, which the grant now allows.
// Denied and expired become TracegateErrors (403 review_denied, 410
// review_expired); the deadline becomes a TracegateTimeoutError carrying the
// access request id, which `resumeRead` takes to pick the wait up again.
//
// Network failures while polling are retried with backoff: the access request
// lives on at the gateway, so a dropped long-poll loses nothing. A failure of
// the first read is reported, not retried: the SDK does not know whether the
// gateway saw it, and sending a read twice on the caller's behalf is the
// caller's call (the gateway would reuse a pending request for the same scope).
// A failure that outlasts the retries carries the access request id too.
import { TracegateError, TracegateNetworkError, TracegateTimeoutError } from './errors.ts';
import { errorFromResponse, parseObject, readCapped } from './problem.ts';
import { parseRetryAfter } from './retry-after.ts';
import { parseReviewStatus, type ReviewStatus } from './review-status.ts';
import { resolveDeadline, sleep, startAttempt, type DeadlineInput } from './timing.ts';
import { unexpected, type Transport } from './transport.ts';

/** Where Langfuse-style stores serve one trace; override with `tracePath`. */
export const DEFAULT_TRACE_PATH = '/api/public/traces/{traceId}';
export const DEFAULT_WAIT_SECONDS = 30;

export interface ReadTraceOptions {
  /** The namespace's path prefix (`langfuse` for `/langfuse/...`); needs `traceId` or `tracePath`. */
  namespace?: string;
  traceId?: string;
  /** Path below the namespace; `{traceId}` is replaced. Default: DEFAULT_TRACE_PATH. */
  tracePath?: string;
  /** Or the whole path below the gateway (`/otlp/ndjson/traces/abc`), instead of namespace. */
  path?: string;
  /** Sent as `Tracegate-Justification` (any Unicode text; see justificationHeader); some policies require it. */
  justification?: string;
  /** How long each held read or status long-poll may wait (the gateway caps it). */
  waitSeconds?: number;
  /**
   * Default true: the first read asks the gateway to hold it (`Prefer: wait`)
   * and, if a reviewer approves in time, the trace streams on that response.
   * false: the first read is not held, so a read that needs review answers
   * 202 at once with the access request id and review link (to show them to
   * someone); the status polls still hold for `waitSeconds`.
   */
  holdRead?: boolean;
  /** Give up waiting for a review then: a Date, or milliseconds from now. */
  deadline?: DeadlineInput;
  signal?: AbortSignal;
  /** Called whenever the review's status is learned: each pending update, then the outcome. */
  onPending?: (status: ReviewStatus) => void;
  /** Extra request headers, e.g. `accept`. */
  headers?: Record<string, string>;
}

export interface TraceRead {
  response: Response;
  /** The trace, streamed as it arrives (masked by the gateway). */
  body: ReadableStream<Uint8Array>;
  /** The gateway's id of the read that served the trace (`x-request-id`). */
  requestId: string | undefined;
  /** Set when the read went through a review. */
  accessRequestId: string | undefined;
}

/** How much slack a held request gets past the deadline to deliver its 202. */
const HOLD_GRACE_MS = 5_000;
const MAX_NETWORK_RETRIES = 8;
const MAX_THROTTLE_RETRIES = 5;
const MIN_POLL_INTERVAL_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;

type State =
  | { kind: 'read'; afterApproval: boolean }
  | { kind: 'poll'; accessRequestId: string; url: URL; delayMs: number; quick?: boolean };

export async function runRead(
  transport: Transport,
  options: ReadTraceOptions,
  resumeAccessRequestId?: string,
): Promise<TraceRead> {
  const readUrl = transport.url(readPath(options));
  const waitSeconds = checkWaitSeconds(options.waitSeconds);
  const deadlineAt = resolveDeadline(options.deadline, Date.now());
  const justification = justificationHeader(options.justification);
  const { signal, onPending } = options;
  const remaining = (): number | undefined =>
    deadlineAt === undefined ? undefined : deadlineAt - Date.now();
  const holdSeconds = (): number => {
    const left = remaining();
    return left === undefined
      ? waitSeconds
      : Math.max(0, Math.min(waitSeconds, Math.floor(left / 1000)));
  };

  let accessRequestId = resumeAccessRequestId;
  let lastRequestId: string | undefined;
  let state: State =
    resumeAccessRequestId === undefined
      ? { kind: 'read', afterApproval: false }
      : // A resumed wait asks for the status at once (quick), so the caller sees it, then holds.
        {
          kind: 'poll',
          accessRequestId: resumeAccessRequestId,
          url: statusUrl(transport, resumeAccessRequestId),
          delayMs: 0,
          quick: true,
        };
  let networkFailures = 0;
  let throttled = 0;
  let refreshedAfter401 = false;
  let lastSeen = '';

  const timeout = (): TracegateTimeoutError =>
    new TracegateTimeoutError(accessRequestId, lastRequestId);
  const pastDeadline = (): boolean => {
    const left = remaining();
    return left !== undefined && left <= 0;
  };
  /** Waits `ms`, but never past the deadline (then it is a timeout). */
  const pause = async (ms: number): Promise<void> => {
    const left = remaining();
    if (left !== undefined && ms >= left) {
      await sleep(Math.max(0, left), signal);
      throw timeout();
    }
    await sleep(ms, signal);
  };
  const backoff = (failures: number): number => Math.min(MAX_BACKOFF_MS, 250 * 2 ** (failures - 1));

  for (;;) {
    if (state.kind === 'read') {
      // The deadline bounds the wait for a review; an approved read goes ahead.
      if (pastDeadline() && !state.afterApproval) throw timeout();
      const firstRead = !state.afterApproval && accessRequestId === undefined;
      const wait = firstRead && options.holdRead === false ? 0 : holdSeconds();
      const headers: Record<string, string> = { ...options.headers };
      if (wait > 0) headers.prefer = `wait=${wait}`;
      if (justification !== undefined) headers['tracegate-justification'] = justification;
      const left = remaining();
      const attempt = startAttempt(
        signal,
        left === undefined || state.afterApproval ? undefined : left + HOLD_GRACE_MS,
      );
      let response: Response;
      try {
        response = await transport.send(readUrl, {
          headers,
          signal: attempt.signal,
          ...(accessRequestId === undefined ? {} : { accessRequestId }),
        });
      } catch (error) {
        attempt.dispose();
        if (attempt.deadlineHit) throw timeout();
        // After an approval the read is safe to repeat: the grant covers it.
        if (
          error instanceof TracegateNetworkError &&
          state.afterApproval &&
          networkFailures < MAX_NETWORK_RETRIES
        ) {
          networkFailures += 1;
          await sleep(backoff(networkFailures), signal);
          continue;
        }
        throw error;
      }
      attempt.settle();
      lastRequestId = response.headers.get('x-request-id') ?? lastRequestId;
      networkFailures = 0;

      if (response.status === 202) {
        attempt.dispose();
        const review = await reviewFromBody(response, lastRequestId);
        accessRequestId = review.accessRequestId;
        lastSeen = fingerprint(review);
        onPending?.(review);
        const location = response.headers.get('location');
        state = {
          kind: 'poll',
          accessRequestId,
          url:
            location === null
              ? statusUrl(transport, accessRequestId)
              : transport.resolveLocation(location, lastRequestId),
          delayMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? 0,
          // The 202 body is a summary; the first poll fetches the full view
          // (reviewer groups, who was notified) at once, then polls hold.
          quick: true,
        };
        refreshedAfter401 = false;
        continue;
      }
      if (response.ok) {
        // The deadline timer is off; the caller's signal still cancels the body.
        return {
          response,
          body: response.body ?? emptyStream(),
          requestId: lastRequestId,
          accessRequestId,
        };
      }
      attempt.dispose();
      const retry = retryDelay(response);
      if (response.status === 401 && transport.refreshesToken && !refreshedAfter401) {
        await response.body?.cancel();
        refreshedAfter401 = true;
        continue;
      }
      if (retry !== undefined && throttled < MAX_THROTTLE_RETRIES) {
        await response.body?.cancel();
        throttled += 1;
        await pause(retry);
        continue;
      }
      throw await errorFromResponse(response, transport.secrets);
    }

    // state.kind === 'poll'
    if (state.delayMs > 0) await pause(state.delayMs);
    if (pastDeadline()) throw timeout();
    const wait = state.quick === true ? 0 : holdSeconds();
    const url = new URL(state.url);
    url.searchParams.set('wait', String(wait));
    const left = remaining();
    const attempt = startAttempt(signal, left === undefined ? undefined : left + HOLD_GRACE_MS);
    const sentAt = Date.now();
    let response: Response;
    try {
      response = await transport.send(url, {
        signal: attempt.signal,
        accessRequestId: state.accessRequestId,
      });
    } catch (error) {
      if (attempt.deadlineHit) throw timeout();
      if (error instanceof TracegateNetworkError && networkFailures < MAX_NETWORK_RETRIES) {
        // A dropped long-poll loses nothing: the access request is still there.
        networkFailures += 1;
        state = { ...state, delayMs: backoff(networkFailures) };
        continue;
      }
      throw error;
    } finally {
      attempt.dispose();
    }
    lastRequestId = response.headers.get('x-request-id') ?? lastRequestId;
    networkFailures = 0;

    if (!response.ok) {
      const retry = retryDelay(response);
      if (response.status === 401 && transport.refreshesToken && !refreshedAfter401) {
        await response.body?.cancel();
        refreshedAfter401 = true;
        state = { ...state, delayMs: 0 };
        continue;
      }
      if (retry !== undefined && throttled < MAX_THROTTLE_RETRIES) {
        await response.body?.cancel();
        throttled += 1;
        state = { ...state, delayMs: retry };
        continue;
      }
      throw await errorFromResponse(response, transport.secrets);
    }
    refreshedAfter401 = false;
    const review = await reviewFromBody(response, lastRequestId, state.accessRequestId);
    onPending?.(review);
    switch (review.status) {
      case 'pending': {
        if (pastDeadline()) throw timeout();
        const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? 0;
        // A quick answer with news (an approval of several) is followed at once;
        // a quick answer without is a gateway that did not hold the poll: pace it.
        const changed = fingerprint(review) !== lastSeen;
        const held = wait > 0 && Date.now() - sentAt >= MIN_POLL_INTERVAL_MS;
        const paced = held || changed || state.quick === true;
        state = {
          ...state,
          quick: false,
          delayMs: Math.max(asked, paced ? 0 : MIN_POLL_INTERVAL_MS),
        };
        lastSeen = fingerprint(review);
        continue;
      }
      case 'approved':
        state = { kind: 'read', afterApproval: true };
        continue;
      case 'denied':
        throw reviewOutcomeError(review, 'review_denied', lastRequestId);
      case 'expired':
        throw reviewOutcomeError(review, 'review_expired', lastRequestId);
      case 'cancelled':
        throw reviewOutcomeError(review, 'review_cancelled', lastRequestId);
    }
  }
}

/** The path below the gateway for a read, from `path` or `namespace` + `traceId`. */
export function readPath(options: ReadTraceOptions): string {
  if (options.path !== undefined) {
    if (options.namespace !== undefined)
      throw new TypeError('readTrace: give either path or namespace, not both');
    if (!options.path.startsWith('/')) throw new TypeError('path: must start with "/"');
    return options.path;
  }
  const namespace = options.namespace?.replace(/^\/+|\/+$/g, '');
  if (namespace === undefined || namespace === '')
    throw new TypeError('readTrace: a namespace or a path is required');
  const template = options.tracePath ?? DEFAULT_TRACE_PATH;
  if (!template.startsWith('/')) throw new TypeError('tracePath: must start with "/"');
  if (template.includes('{traceId}')) {
    if (options.traceId === undefined || options.traceId === '') {
      throw new TypeError('traceId: required by the trace path');
    }
    return `/${namespace}${template.split('{traceId}').join(encodeURIComponent(options.traceId))}`;
  }
  return `/${namespace}${template}`;
}

function statusUrl(transport: Transport, accessRequestId: string): URL {
  return transport.url(`/v1/requests/${encodeURIComponent(accessRequestId)}`);
}

function checkWaitSeconds(value: number | undefined): number {
  if (value === undefined) return DEFAULT_WAIT_SECONDS;
  if (!Number.isInteger(value) || value < 0) throw new TypeError('waitSeconds: an integer >= 0');
  return value;
}

/**
 * The header value for a justification. Header values are bytes: printable
 * ASCII goes as is, any other text as an RFC 8187 ext-value (`UTF-8''` and
 * the percent-encoded UTF-8), which the gateway decodes. Refuses what the
 * gateway would: control, format (bidirectional overrides, zero-width, tag)
 * and line-separator characters (they could make the text a reviewer reads
 * differ from what was sent). The zero-width joiners and the direction marks
 * LRM, RLM and ALM pass: Persian, Indic, Hebrew and Arabic writing needs them.
 */
export function justificationHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') throw new TypeError('justification: empty');
  // As the gateway (worker/http/typed-text.ts): tab, the joiners and the direction marks pass.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(trimmed.replace(/[\t\u200c-\u200f\u061c]/g, ' '))) {
    throw new TypeError(
      'justification: no control, invisible or bidirectional-override characters and no line separators',
    );
  }
  if (/^[\x20-\x7e\t]+$/.test(trimmed) && !/^utf-8''/i.test(trimmed)) return trimmed;
  try {
    return `UTF-8''${encodeURIComponent(trimmed)}`;
  } catch {
    throw new TypeError('justification: not well-formed Unicode (a lone surrogate)');
  }
}

/** The delay a 429 or 503 asks for with Retry-After; undefined means "do not retry". */
function retryDelay(response: Response): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  return parseRetryAfter(response.headers.get('retry-after'), Date.now());
}

async function reviewFromBody(
  response: Response,
  requestId: string | undefined,
  fallbackId?: string,
): Promise<ReviewStatus> {
  const document = parseObject(await readCapped(response, 256 * 1024));
  const review = document === undefined ? undefined : parseReviewStatus(document, fallbackId);
  if (review === undefined) {
    throw unexpected(
      `a ${response.status} answer without an access request status`,
      requestId,
      response.status,
    );
  }
  return review;
}

function reviewOutcomeError(
  review: ReviewStatus,
  code: 'review_denied' | 'review_expired' | 'review_cancelled',
  requestId: string | undefined,
): TracegateError {
  const text = {
    review_denied: {
      status: 403,
      title: 'Review denied',
      // The same words the gateway uses when it answers a held read with 403.
      detail: `A reviewer denied this request: ${review.denyReason ?? 'no reason given'}`,
    },
    review_expired: { status: 410, title: 'Review expired', detail: 'The access request expired.' },
    review_cancelled: {
      status: 410,
      title: 'Review cancelled',
      detail: 'The access request was cancelled.',
    },
  }[code];
  return new TracegateError({
    code,
    ...text,
    requestId,
    extensions:
      code === 'review_denied'
        ? { accessRequestId: review.accessRequestId, reason: review.denyReason ?? null }
        : { accessRequestId: review.accessRequestId },
  });
}

/** What makes two status answers different, for pacing polls. */
function fingerprint(review: ReviewStatus): string {
  return `${review.accessRequestId}:${review.status}:${review.approvals}:${review.decisions.length}`;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.close();
    },
  });
}
