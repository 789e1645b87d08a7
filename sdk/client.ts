// createTracegateClient: the SDK's one entry point.
//
// Runs wherever `fetch` and Web Streams exist (Node 22+, Workers, browsers,
// Deno): no Node built-ins, no dependencies. Options are checked here, once,
// and a bad one throws a TypeError naming it.
import { createAuditApi, type AuditApi } from './audit.ts';
import { runRead, type ReadTraceOptions, type TraceRead } from './read-trace.ts';
import { createRequestsApi, type RequestsApi } from './requests.ts';
import { Transport, type FetchFunction, type TokenSource } from './transport.ts';

export interface TracegateClientOptions {
  /** The gateway, e.g. `https://tracegate.example.com` (a path prefix is kept). */
  baseUrl: string | URL;
  /** A bearer token, or a function asked for one before every request (so it can refresh). */
  token: TokenSource;
  /** A fetch to use instead of the global one (tests, a service binding). */
  fetch?: FetchFunction;
  /** Prepended to the SDK's own User-Agent, e.g. `my-agent/2.1`. */
  userAgent?: string;
}

export interface TracegateClient {
  readonly baseUrl: string;
  /** Reads a trace, waiting through a review if the policy asks for one. */
  readTrace(options: ReadTraceOptions): Promise<TraceRead>;
  /**
   * Picks up the wait for an access request (after a deadline or a crash):
   * polls it, and once approved sends `originalRead` again.
   */
  resumeRead(accessRequestId: string, originalRead: ReadTraceOptions): Promise<TraceRead>;
  readonly requests: RequestsApi;
  readonly audit: AuditApi;
}

export function createTracegateClient(options: TracegateClientOptions): TracegateClient {
  const transport = new Transport(options);
  return {
    baseUrl: transport.base.href,
    readTrace: (read) => runRead(transport, read),
    resumeRead: (accessRequestId, originalRead) => {
      if (accessRequestId.trim() === '') throw new TypeError('accessRequestId: empty');
      return runRead(transport, originalRead, accessRequestId.trim());
    },
    requests: createRequestsApi(transport),
    audit: createAuditApi(transport),
  };
}
