// What a recording keeps of the caller's request: an allow-list of headers,
// never credentials or cookies, and the query with credential-like values
// redacted. An allow-list, like forward-headers.ts, so a header added by some
// client later is left out rather than recorded by accident.
import type { Principal } from '../identity/principal.ts';
import { redactedQuery } from '../routing/forwarded-query.ts';
import type { SessionEvent } from './session-events.ts';

const RECORDED_REQUEST_HEADERS = [
  'accept',
  'accept-encoding',
  'accept-language',
  'content-length',
  'content-type',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'prefer',
  'range',
  'tracegate-justification',
  'traceparent',
  'tracestate',
  'user-agent',
];

export function recordedRequestHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RECORDED_REQUEST_HEADERS) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

export function requestEvent(
  request: Request,
  path: string,
  search: string,
  principal: Principal,
  at: number,
): Extract<SessionEvent, { type: 'request' }> {
  return {
    type: 'request',
    at,
    method: request.method.toUpperCase(),
    path,
    query: redactedQuery(search),
    headers: recordedRequestHeaders(request.headers),
    principal: {
      issuerId: principal.issuerId,
      issuer: principal.issuer,
      subject: principal.subject,
      email: principal.email ?? null,
      groups: [...principal.groups],
      tokenId: principal.tokenId ?? null,
    },
  };
}

export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
