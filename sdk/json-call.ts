// A JSON API call: send, map an error status to a TracegateError, parse the body.
import { errorFromResponse, readCapped } from './problem.ts';
import { unexpected, type SendOptions, type Transport } from './transport.ts';

const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface JsonResult {
  /** The parsed body; undefined for an empty body (204). */
  value: unknown;
  requestId: string | undefined;
}

export async function callJson(
  transport: Transport,
  url: URL,
  options: SendOptions = {},
): Promise<JsonResult> {
  const response = await transport.send(url, {
    ...options,
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
  });
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (!response.ok) throw await errorFromResponse(response, transport.secrets);
  const text = await readCapped(response, MAX_JSON_BYTES);
  if (text.trim() === '') return { value: undefined, requestId };
  try {
    return { value: JSON.parse(text) as unknown, requestId };
  } catch {
    throw unexpected(
      'the gateway answered with a body that is not JSON',
      requestId,
      response.status,
    );
  }
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The first array among `keys` of a document, or the document if it is one. */
export function listIn(value: unknown, keys: readonly string[]): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  const record = asRecord(value);
  if (record === undefined) return undefined;
  for (const key of keys) {
    const member = record[key];
    if (Array.isArray(member)) return member;
  }
  return undefined;
}
