// The JSON API under /v1: access requests (requesters and reviewers), the
// audit log and recorded sessions (auditors). What each route validates and
// answers is taken from its module's zod schemas (schema-components.ts);
// this file says which route uses which, and which error codes it can return.
import type { ErrorCode } from '../http/errors.ts';
import type { DocumentedRoute, OperationObject, RequestBodyObject } from './openapi-types.ts';
import {
  AUDITOR_CODES,
  AUTH_CODES,
  BEARER,
  jsonResponse,
  parameterRef,
  problemResponses,
  streamResponse,
} from './responses.ts';
import { QUERY_SCHEMAS, queryParameters, schemaRef, type SchemaName } from './schema-components.ts';

const jsonBody = (
  schema: SchemaName,
  description: string,
  required = false,
): RequestBodyObject => ({
  description: `${description} At most 16 KiB; an empty body reads as \`{}\`.`,
  required,
  content: { 'application/json': { schema: schemaRef(schema) } },
});

/** Codes of deciding on or cancelling a request that is (or was) pending. */
const NOT_PENDING: ErrorCode[] = ['review_conflict', 'review_expired', 'review_cancelled'];

function bearerOperation(
  operation: Omit<OperationObject, 'security' | 'responses'>,
  responses: OperationObject['responses'],
  codes: readonly ErrorCode[],
): OperationObject {
  return {
    ...operation,
    security: BEARER,
    responses: { ...responses, ...problemResponses(codes) },
  };
}

const requests: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/v1/requests',
    operation: bearerOperation(
      {
        operationId: 'listAccessRequests',
        tags: ['Access requests'],
        summary: "The caller's access requests and those they may review",
        description: 'Auditors see every request. Newest first.',
        parameters: queryParameters(QUERY_SCHEMAS.listAccessRequests),
      },
      { '200': jsonResponse('The requests.', 'AccessRequestList') },
      [...AUTH_CODES, 'bad_request'],
    ),
  },
  {
    method: 'get',
    path: '/v1/requests/{id}',
    operation: bearerOperation(
      {
        operationId: 'getAccessRequest',
        tags: ['Access requests'],
        summary: 'One access request; long-polls while it is pending',
        description:
          'Visible to its requester, its reviewers and auditors; to anyone else it does not ' +
          'exist (404). `wait` (query) or `Prefer: wait=N` holds the call until a decision or ' +
          'the timeout, capped by the gateway; the query parameter wins.',
        parameters: [
          parameterRef('AccessRequestId'),
          ...queryParameters(QUERY_SCHEMAS.getAccessRequest),
          parameterRef('Prefer'),
        ],
      },
      {
        '200': jsonResponse('The request, decided or still pending.', 'AccessRequest', [
          'RequestId',
          'CacheControl',
          'PreferenceApplied',
        ]),
      },
      [...AUTH_CODES, 'bad_request', 'not_found'],
    ),
  },
  {
    method: 'post',
    path: '/v1/requests/{id}/approve',
    operation: bearerOperation(
      {
        operationId: 'approveAccessRequest',
        tags: ['Access requests'],
        summary: 'Approve (reviewers)',
        description:
          'A reviewer decides once; the requester cannot decide their own request. ' +
          "`grantSeconds` is capped by the rule's grant TTL.",
        parameters: [parameterRef('AccessRequestId')],
        requestBody: jsonBody('ApproveRequest', 'Optional duration and reason.'),
      },
      { '200': jsonResponse('The request after the decision.', 'AccessRequest') },
      [
        ...AUTH_CODES,
        'bad_request',
        'not_found',
        'self_approval',
        'not_a_reviewer',
        ...NOT_PENDING,
      ],
    ),
  },
  {
    method: 'post',
    path: '/v1/requests/{id}/deny',
    operation: bearerOperation(
      {
        operationId: 'denyAccessRequest',
        tags: ['Access requests'],
        summary: 'Deny (reviewers), with a reason',
        description: 'The reason is shown to the requester.',
        parameters: [parameterRef('AccessRequestId')],
        requestBody: jsonBody('DenyRequest', 'The reason.', true),
      },
      { '200': jsonResponse('The request after the decision.', 'AccessRequest') },
      [
        ...AUTH_CODES,
        'bad_request',
        'not_found',
        'self_approval',
        'not_a_reviewer',
        ...NOT_PENDING,
      ],
    ),
  },
  {
    method: 'post',
    path: '/v1/requests/{id}/cancel',
    operation: bearerOperation(
      {
        operationId: 'cancelAccessRequest',
        tags: ['Access requests'],
        summary: 'Cancel (the requester)',
        parameters: [parameterRef('AccessRequestId')],
        requestBody: jsonBody('CancelRequest', 'Empty.'),
      },
      { '200': jsonResponse('The cancelled request.', 'AccessRequest') },
      [...AUTH_CODES, 'bad_request', 'not_found', 'access_denied', ...NOT_PENDING],
    ),
  },
];

const audit: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/v1/audit',
    operation: bearerOperation(
      {
        operationId: 'queryAudit',
        tags: ['Audit'],
        summary: 'Query the audit log (auditors)',
        description:
          'Ascending seq; `nextCursor` is stable because seqs only grow. `from` is inclusive, ' +
          '`to` exclusive. An unknown parameter is ignored.',
        parameters: queryParameters(QUERY_SCHEMAS.queryAudit),
      },
      { '200': jsonResponse('One page of events.', 'AuditPage') },
      [...AUDITOR_CODES, 'bad_request'],
    ),
  },
  {
    method: 'get',
    path: '/v1/audit/export',
    operation: bearerOperation(
      {
        operationId: 'exportAudit',
        tags: ['Audit'],
        summary: 'Export the audit log as NDJSON or CSV (auditors)',
        description:
          'Streamed as an attachment. NDJSON: one `AuditEvent` per line. The export stops at ' +
          'the last seq that existed when it started. Rows carry their `mac`, so an export ' +
          'can be verified offline with the key.',
        parameters: queryParameters(QUERY_SCHEMAS.exportAudit),
      },
      {
        '200': streamResponse('The matching rows, in seq order.', [
          'application/x-ndjson',
          'text/csv',
        ]),
      },
      [...AUDITOR_CODES, 'bad_request'],
    ),
  },
  {
    method: 'get',
    path: '/v1/audit/verify',
    operation: bearerOperation(
      {
        operationId: 'verifyAudit',
        tags: ['Audit'],
        summary: 'Verify the audit log against its MACs and checkpoints (auditors)',
        description: 'Names the first bad row, if any (TAMPER-EVIDENCE.md).',
      },
      { '200': jsonResponse('The tamper-evidence report.', 'VerifyReport') },
      [...AUDITOR_CODES, 'gateway_misconfigured'],
    ),
  },
  {
    method: 'post',
    path: '/v1/audit/checkpoints',
    operation: bearerOperation(
      {
        operationId: 'writeAuditCheckpoints',
        tags: ['Audit'],
        summary: 'Seal the rows not yet under a checkpoint, now (auditors)',
        description:
          'What the scheduled job does (no body needed). Good rows before a bad one are sealed; ' +
          'sealing then stops at the bad range (409) until an auditor acknowledges it with ' +
          '`acknowledge: {seq, note}`: the range is then sealed as found, as an exception that ' +
          'verification lists. The acknowledgement is audited before anything is sealed ' +
          '(if it cannot be, 503 and nothing is sealed), then its outcome (TAMPER-EVIDENCE.md).',
        requestBody: jsonBody('CheckpointRequest', 'Optional: a bad range to acknowledge.'),
      },
      {
        '200': jsonResponse('Sealed (`kind: sealed`).', 'CheckpointResult'),
        '409': jsonResponse(
          'Refused (`kind: refused`): a row is missing or does not verify, or the acknowledged seq is not where sealing stops.',
          'CheckpointResult',
        ),
      },
      [...AUDITOR_CODES, 'gateway_misconfigured', 'bad_request'],
    ),
  },
];

const sessions: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/v1/sessions',
    operation: bearerOperation(
      {
        operationId: 'listSessions',
        tags: ['Sessions'],
        summary: 'Recorded sessions, newest first (auditors)',
        parameters: queryParameters(QUERY_SCHEMAS.listSessions),
      },
      { '200': jsonResponse('One page of sessions.', 'SessionPage') },
      [...AUDITOR_CODES, 'bad_request'],
    ),
  },
  {
    method: 'get',
    path: '/v1/sessions/{id}',
    operation: bearerOperation(
      {
        operationId: 'getSession',
        tags: ['Sessions'],
        summary: 'One session: summary, recording state, manifest, timeline, audit rows',
        description:
          '`recording` says what R2 holds: complete | truncated | failed | recording (the ' +
          'Worker died mid-stream) | missing (never started) | deleted (retention).',
        parameters: [parameterRef('SessionId')],
      },
      { '200': jsonResponse('The session.', 'SessionDetail') },
      [...AUDITOR_CODES, 'not_found'],
    ),
  },
  {
    method: 'get',
    path: '/v1/sessions/{id}/body',
    operation: bearerOperation(
      {
        operationId: 'getSessionBody',
        tags: ['Sessions'],
        summary: 'The recorded body, byte for byte (auditors)',
        description:
          'With its original content type, under a sandboxing CSP; `Repr-Digest` carries the ' +
          'recorded SHA-256 (RFC 9530) and `X-Tracegate-Recording-Status` the manifest status.',
        parameters: [parameterRef('SessionId')],
      },
      { '200': streamResponse('The recorded bytes.', ['*/*'], ['RequestId', 'CacheControl']) },
      [...AUDITOR_CODES, 'not_found'],
    ),
  },
];

export const API_ROUTES: readonly DocumentedRoute[] = [...requests, ...audit, ...sessions];
