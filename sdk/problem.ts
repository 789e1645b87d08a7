// Turns a gateway error response into a TracegateError.
//
// The gateway answers every error with `application/problem+json` (RFC 9457).
// Anything else (an HTML page from a proxy in front of it, a truncated body)
// still becomes a TracegateError with the HTTP status, so callers have one
// type to handle. The body is read with a size cap: an error body is never
// worth unbounded memory.
import { TracegateError, redactSecrets, type TracegateErrorCode } from './errors.ts';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

export async function errorFromResponse(
  response: Response,
  secrets: readonly string[],
): Promise<TracegateError> {
  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  const contentType = response.headers.get('content-type') ?? '';
  const text = await readCapped(response, MAX_ERROR_BODY_BYTES);
  const problem = isJsonType(contentType) ? parseObject(text) : undefined;
  if (problem === undefined) {
    return new TracegateError({
      code: codeForStatus(response.status),
      status: response.status,
      title: `HTTP ${response.status}`,
      detail:
        `The gateway answered ${response.status} ${response.statusText}`.trim() +
        ' without a problem document.',
      requestId: headerRequestId,
    });
  }
  const { type, title, status, detail, code, requestId, ...extensions } = problem;
  return new TracegateError({
    code: typeof code === 'string' ? code : codeForStatus(response.status),
    status: typeof status === 'number' ? status : response.status,
    title: redactSecrets(typeof title === 'string' ? title : `HTTP ${response.status}`, secrets),
    detail: redactSecrets(typeof detail === 'string' ? detail : '', secrets),
    requestId: typeof requestId === 'string' ? requestId : headerRequestId,
    type: typeof type === 'string' ? type : undefined,
    extensions,
  });
}

/** A code for a response that carried none: the nearest gateway code by status. */
function codeForStatus(status: number): TracegateErrorCode {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'access_denied';
  if (status === 404) return 'not_found';
  if (status === 410) return 'review_expired';
  if (status === 400) return 'bad_request';
  if (status === 502 || status === 503) return 'upstream_unavailable';
  if (status === 504) return 'upstream_timeout';
  if (status >= 500) return 'internal_error';
  return 'unexpected_response';
}

function isJsonType(contentType: string): boolean {
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/problem+json' || essence === 'application/json';
}

export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads at most `limit` bytes of the body as text and cancels the rest. */
export async function readCapped(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    if (size >= limit) await reader.cancel();
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    reader.releaseLock();
  }
  const joined = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.byteLength, joined.byteLength - offset));
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(joined);
}
