// Building blocks of the operations: JSON answers, problem answers grouped
// by status, the shared headers and parameters.
//
// A problem answer lists the codes an operation can return; their HTTP
// status comes from describeError (worker/http/errors.ts), never from here,
// so a code that changes status moves to its new response by itself.
import { MAX_WAITERS } from '../../durable-objects/access-request-contract.ts';
import { describeError, type ErrorCode } from '../http/errors.ts';
import type {
  HeaderObject,
  ParameterObject,
  Reference,
  ResponseObject,
  SecurityRequirement,
} from './openapi-types.ts';
import { schemaRef, type SchemaName } from './schema-components.ts';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export const SHARED_HEADERS = {
  RequestId: {
    description: 'The gateway request id, as in the audit log and problem documents.',
    schema: { type: 'string' },
  },
  CacheControl: {
    description: 'Every API answer is `no-store`.',
    schema: { type: 'string', const: 'no-store' },
  },
  PreferenceApplied: {
    description:
      'RFC 7240 §3: `wait=N` when the call was held for N seconds at most. Absent when the ' +
      `request already had its most waiting calls (${MAX_WAITERS}) and this one was answered at once.`,
    schema: { type: 'string', pattern: '^wait=\\d+$' },
  },
  RetryAfter: {
    description: 'Seconds to wait before polling again (RFC 9110 §10.2.3).',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  Location: {
    description: 'The access request to poll: `/v1/requests/{id}`.',
    schema: { type: 'string', format: 'uri-reference' },
  },
  WwwAuthenticate: {
    description: 'RFC 6750 §3 challenge: `Bearer realm="tracegate"`, with `error` for a bad token.',
    schema: { type: 'string' },
  },
} as const satisfies Record<string, HeaderObject>;

const headerRef = (name: keyof typeof SHARED_HEADERS): Reference => ({
  $ref: `#/components/headers/${name}`,
});

export const SHARED_PARAMETERS = {
  Prefer: {
    name: 'Prefer',
    in: 'header',
    description:
      'RFC 7240 `wait=N`: hold the call up to N seconds (capped by the gateway) while the ' +
      'access request is pending. A malformed preference is ignored.',
    required: false,
    schema: { type: 'string', examples: ['wait=60'] },
  },
  Justification: {
    name: 'Tracegate-Justification',
    in: 'header',
    description:
      'Why the trace is read (at most 1000 characters); required by rules that ask for one ' +
      '(`justification_required`). Shown to reviewers and kept in the audit log. Printable ' +
      "ASCII as is; other text as an RFC 8187 ext-value: `UTF-8''` and the percent-encoded " +
      "UTF-8 (`UTF-8''%C3%9Cberpr%C3%BCfung`). Control, invisible and bidirectional-override " +
      'characters and line separators are refused (`bad_request`); the zero-width joiners ' +
      'and the direction marks LRM, RLM and ALM are allowed.',
    required: false,
    // 1000 characters once decoded: the encoded form of non-ASCII text is longer.
    schema: { type: 'string' },
  },
  AccessRequestId: {
    name: 'id',
    in: 'path',
    description: 'The access request id (the `id` of a 202 answer or of `Location`).',
    required: true,
    schema: { type: 'string' },
  },
  SessionId: {
    name: 'id',
    in: 'path',
    description: 'The recorded session id (the request id of the read).',
    required: true,
    schema: { type: 'string' },
  },
} as const satisfies Record<string, ParameterObject>;

export const parameterRef = (name: keyof typeof SHARED_PARAMETERS): Reference => ({
  $ref: `#/components/parameters/${name}`,
});

export const BEARER: SecurityRequirement[] = [{ bearerAuth: [] }];
export const NO_AUTH: SecurityRequirement[] = [{}];
export const BEARER_OR_SESSION: SecurityRequirement[] = [
  { bearerAuth: [] },
  { gatewaySession: [] },
];

/** Bearer-authenticated routes: no token, a bad token, or the IdP unreachable. */
export const AUTH_CODES: readonly ErrorCode[] = [
  'unauthenticated',
  'invalid_token',
  'idp_unavailable',
];
/** Auditor routes: also not an auditor, and the access itself not recorded. */
export const AUDITOR_CODES: readonly ErrorCode[] = [
  ...AUTH_CODES,
  'access_denied',
  'audit_unavailable',
];

export function jsonResponse(
  description: string,
  schema: SchemaName,
  headers: (keyof typeof SHARED_HEADERS)[] = ['RequestId', 'CacheControl'],
): ResponseObject {
  return {
    description,
    headers: Object.fromEntries(headers.map((name) => [headerName(name), headerRef(name)])),
    content: { 'application/json': { schema: schemaRef(schema) } },
  };
}

export function streamResponse(
  description: string,
  mediaTypes: string[],
  headers: (keyof typeof SHARED_HEADERS)[] = ['RequestId'],
): ResponseObject {
  return {
    description,
    headers: Object.fromEntries(headers.map((name) => [headerName(name), headerRef(name)])),
    content: Object.fromEntries(mediaTypes.map((type) => [type, {}])),
  };
}

/**
 * Problem answers for `codes`, one response per status; each narrows `code`
 * to the codes that status carries here. `default` covers the rest
 * (internal_error, gateway_misconfigured, …).
 */
export function problemResponses(
  codes: readonly ErrorCode[],
): Record<string, ResponseObject | Reference> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = describeError(code).status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseObject | Reference> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const titles = statusCodes.map((code) => `\`${code}\` (${describeError(code).title})`);
    responses[String(status)] = {
      description: titles.join(', '),
      headers: {
        'X-Request-Id': headerRef('RequestId'),
        ...(status === 401 ? { 'WWW-Authenticate': headerRef('WwwAuthenticate') } : {}),
      },
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: {
            type: 'object',
            allOf: [schemaRef('Problem')],
            properties: { code: { enum: statusCodes }, status: { const: status } },
          },
        },
      },
    };
  }
  responses['default'] = { $ref: '#/components/responses/Problem' };
  return responses;
}

function headerName(name: keyof typeof SHARED_HEADERS): string {
  switch (name) {
    case 'RequestId':
      return 'X-Request-Id';
    case 'CacheControl':
      return 'Cache-Control';
    case 'PreferenceApplied':
      return 'Preference-Applied';
    case 'RetryAfter':
      return 'Retry-After';
    case 'Location':
      return 'Location';
    case 'WwwAuthenticate':
      return 'WWW-Authenticate';
  }
}

/** The catch-all problem answer, in components.responses. */
export const DEFAULT_PROBLEM: ResponseObject = {
  description: 'Any other failure, as an RFC 9457 problem document.',
  headers: { 'X-Request-Id': headerRef('RequestId') },
  content: { [PROBLEM_MEDIA_TYPE]: { schema: schemaRef('Problem') } },
};
