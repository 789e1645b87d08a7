// Tracegate SDK: read traces through the gateway, waiting through reviews.
//
//   const client = createTracegateClient({ baseUrl, token: () => getToken() });
//   const { body } = await client.readTrace({ namespace: 'langfuse', traceId, justification });
export { createTracegateClient } from './client.ts';
export type { TracegateClient, TracegateClientOptions } from './client.ts';
export { DEFAULT_TRACE_PATH, DEFAULT_WAIT_SECONDS, justificationHeader } from './read-trace.ts';
export type { ReadTraceOptions, TraceRead } from './read-trace.ts';
export type { RequestsApi } from './requests.ts';
export type { AuditApi, AuditEvent, AuditExport, AuditFilters, AuditPage } from './audit.ts';
export type { AccessRequestStatus, ReviewStatus, ReviewerDecision } from './review-status.ts';
export type { FetchFunction, TokenSource } from './transport.ts';
export {
  TracegateError,
  TracegateNetworkError,
  TracegateTimeoutError,
  formatProblem,
} from './errors.ts';
export type {
  ClientErrorCode,
  GatewayErrorCode,
  ProblemFields,
  TracegateErrorCode,
} from './errors.ts';
