// Small JSON request bodies for the API (decisions, checkpoints): size-capped,
// declared as application/json, validated with a zod schema; every refusal is
// a 400 problem that says what is wrong.
import type { z } from 'zod';
import { GatewayError } from './errors.ts';

const MAX_BODY_BYTES = 16 * 1024;

export function parseOrBadRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new GatewayError('bad_request', { publicDetail: `The request is not valid: ${issues}.` });
}

/** A small JSON body (an empty body reads as `{}`), validated with `schema`. */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    throw new GatewayError('bad_request', { publicDetail: 'The request body is too large.' });
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new GatewayError('bad_request', { publicDetail: 'The request body is too large.' });
  }
  if (text.trim() === '') return parseOrBadRequest(schema, {});
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new GatewayError('bad_request', {
      publicDetail: 'Send the body as application/json.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('bad_request', { publicDetail: 'The request body is not valid JSON.' });
  }
  return parseOrBadRequest(schema, json);
}
