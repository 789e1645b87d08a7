// Everything outside /v1: the trace read (any namespace path, documented
// once, generically), the health check, this document and its page, and —
// briefly, as HTML for browsers — the review and auditor pages.
import type { ErrorCode } from '../http/errors.ts';
import type { DocumentedRoute, OperationObject, ResponseObject } from './openapi-types.ts';
import {
  AUTH_CODES,
  BEARER,
  BEARER_OR_SESSION,
  jsonResponse,
  NO_AUTH,
  parameterRef,
  problemResponses,
  streamResponse,
} from './responses.ts';
import { schemaRef } from './schema-components.ts';

const READ_CODES: ErrorCode[] = [
  ...AUTH_CODES,
  'bad_request',
  'justification_required',
  'too_many_pending_requests',
  'not_found',
  'access_denied',
  'blocked',
  'review_denied',
  'review_expired',
  'review_cancelled',
  'upstream_unavailable',
  'masking_failed',
  'audit_unavailable',
  'recording_unavailable',
  'upstream_timeout',
];

const traceRead: DocumentedRoute = {
  method: 'get',
  path: '/{namespacePrefix}/{path}',
  operation: {
    operationId: 'readTrace',
    tags: ['Traces'],
    summary: "Read a trace (or any path) through a namespace's policy",
    description:
      "Any path under a configured namespace prefix is proxied to that namespace's trace " +
      'store once the policy allows it; the decision is audited before any byte flows. ' +
      'Other methods are routed the same way and decided by the policy. A rule that sends ' +
      'the read to review answers 202 with the access request (or, with `Prefer: wait=N`, ' +
      'holds the call until a reviewer decides and then answers as the store does); poll ' +
      '`Location` and repeat the read once approved.',
    security: BEARER,
    parameters: [
      {
        name: 'namespacePrefix',
        in: 'path',
        required: true,
        description: "A namespace's `pathPrefix` from the gateway configuration (without `/`).",
        schema: { type: 'string' },
      },
      {
        name: 'path',
        in: 'path',
        required: true,
        description:
          'The rest of the path, passed to the store as sent; may contain `/`. The query is ' +
          "forwarded when every parameter name is in the namespace's `query.allow`, re-encoded " +
          'as parsed; another name is refused (`bad_request`). Where a `resources` template ' +
          'reads the trace id from a parameter, the read is refused (`bad_request`) if the path ' +
          'and query name different traces, the id is empty, or the parameter is sent on a ' +
          'path where it does not name the trace, or in another case or Unicode form. ' +
          'A path a store could read as another path is refused (`bad_request`): ' +
          'an encoded `/` or `\\` (`%2F`, `%5C`), an empty segment (`//`), a `;` (path ' +
          'parameters), an encoded control character, malformed percent-encoding or an escape ' +
          'that decodes twice (`%252F`), a segment ending in `.` or space, letters that NFKC or ' +
          'case folding turns into others (fullwidth forms, `ſ`, `ı`, `ß`).',
        schema: { type: 'string' },
      },
      parameterRef('Justification'),
      parameterRef('Prefer'),
    ],
    responses: {
      '200': streamResponse(
        "The store's answer, streamed (masked where the namespace says so). Other store " +
          'statuses pass through unchanged.',
        ['*/*'],
        ['RequestId', 'PreferenceApplied'],
      ),
      '202': jsonResponse(
        'Held for review: the access request, still pending.',
        'AccessRequestSummary',
        ['RequestId', 'CacheControl', 'Location', 'RetryAfter', 'PreferenceApplied'],
      ),
      ...problemResponses(READ_CODES),
    },
  },
};

const HTML: ResponseObject['content'] = { 'text/html': {} };

function page(
  method: 'get' | 'post',
  path: string,
  operationId: string,
  summary: string,
  responses: Record<string, string>,
  security = BEARER_OR_SESSION,
): DocumentedRoute {
  const operation: OperationObject = {
    operationId,
    tags: ['Pages'],
    summary,
    description: 'A page for a browser (HTML); failures are HTML pages too.',
    security,
    ...(path.includes('{id}')
      ? {
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              schema: { type: 'string' },
            },
          ],
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, description]) => [
        status,
        status.startsWith('3') ? { description } : { description, content: HTML },
      ]),
    ),
  };
  return { method, path, operation };
}

const pages: DocumentedRoute[] = [
  page(
    'get',
    '/review',
    'reviewIndex',
    'Review index: who is signed in',
    { '200': 'The page.' },
    NO_AUTH,
  ),
  page(
    'get',
    '/review/{id}',
    'reviewPage',
    'One access request for its reviewers; never changes state',
    { '200': 'The page (a sign-in invitation without a session).' },
    NO_AUTH,
  ),
  page(
    'post',
    '/review/{id}/decision',
    'reviewDecision',
    'Approve or deny from the page (form post with a CSRF token)',
    { '200': 'The outcome page.' },
    [{ gatewaySession: [] }],
  ),
  page(
    'get',
    '/review/login',
    'reviewLogin',
    'Start the sign-in (OIDC code flow with PKCE)',
    { '302': 'To the identity provider.' },
    NO_AUTH,
  ),
  page(
    'get',
    '/review/callback',
    'reviewLoginCallback',
    "The identity provider's redirect back (path configurable)",
    { '303': 'To the page the sign-in started from.' },
    NO_AUTH,
  ),
  page('post', '/review/logout', 'reviewLogout', 'Sign out', { '303': 'To the review index.' }, [
    { gatewaySession: [] },
  ]),
  page('get', '/audit/sessions', 'auditSessionsPage', 'Recorded sessions, filterable (auditors)', {
    '200': 'The page.',
    '302': 'To the sign-in, for a browser without a session.',
  }),
  page(
    'get',
    '/audit/sessions/{id}',
    'auditSessionPage',
    'One session: timeline, response head, body (auditors)',
    { '200': 'The page.', '302': 'To the sign-in, for a browser without a session.' },
  ),
  page(
    'get',
    '/audit/sessions/{id}/body',
    'auditSessionBodyPage',
    'The raw replay, as `GET /v1/sessions/{id}/body` (auditors)',
    { '200': 'The recorded bytes.', '302': 'To the sign-in, for a browser without a session.' },
  ),
];

const meta: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/healthz',
    operation: {
      operationId: 'health',
      tags: ['Meta'],
      summary: 'Liveness',
      security: NO_AUTH,
      responses: {
        '200': {
          description: 'The Worker runs.',
          content: { 'application/json': { schema: schemaRef('Health') } },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operation: {
      operationId: 'openApiDocument',
      tags: ['Meta'],
      summary: 'This document (OpenAPI 3.1)',
      security: NO_AUTH,
      responses: {
        '200': {
          description: 'The document; cacheable, with an ETag.',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '304': { description: 'Not modified (If-None-Match).' },
      },
    },
  },
  {
    method: 'get',
    path: '/docs',
    operation: {
      operationId: 'apiDocsPage',
      tags: ['Meta'],
      summary: 'This document as a page',
      security: NO_AUTH,
      responses: {
        '200': { description: 'The page; no script.', content: HTML },
        '304': { description: 'Not modified (If-None-Match).' },
      },
    },
  },
];

export const GATEWAY_ROUTES: readonly DocumentedRoute[] = [...meta, traceRead, ...pages];
