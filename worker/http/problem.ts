// Renders a GatewayError as an RFC 9457 problem document.
//
// Auth failures carry a WWW-Authenticate challenge (RFC 6750 §3) and every
// error is `Cache-Control: no-store` so no shared cache keeps a denial or a
// review id.
import { z } from 'zod';
import { describeError, ERROR_CODES, type ErrorCode, type GatewayError } from './errors.ts';

/** The wire shape (exported: the OpenAPI document is generated from it). */
export const problemDocumentSchema = z
  .looseObject({
    type: z.url(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    code: z.enum(ERROR_CODES),
    requestId: z.string(),
    accessRequestId: z
      .string()
      .optional()
      .meta({ description: 'The access request concerned (review_* codes).' }),
    reason: z.string().optional().meta({ description: "The reviewer's reason (review_denied)." }),
  })
  .meta({ description: 'An RFC 9457 problem document; `code` is stable, `detail` is not.' });

export type ProblemDocument = z.infer<typeof problemDocumentSchema>;

const BEARER_ERRORS: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Bearer realm="tracegate"',
  invalid_token: 'Bearer realm="tracegate", error="invalid_token"',
};

export function problemResponse(error: GatewayError, requestId: string): Response {
  const shape = describeError(error.code);
  const body: ProblemDocument = {
    type: `https://tracegate.dev/problems/${error.code}`,
    title: shape.title,
    status: shape.status,
    detail: error.publicDetail ?? shape.detail,
    code: error.code,
    requestId,
    ...error.extensions,
  };
  const headers = new Headers({
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-request-id': requestId,
  });
  const challenge = BEARER_ERRORS[error.code];
  if (challenge !== undefined) headers.set('www-authenticate', challenge);
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  return new Response(JSON.stringify(body), { status: shape.status, headers });
}
