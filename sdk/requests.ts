// The access request API: requesters watch and cancel their requests,
// reviewers list, approve and deny them (with a bearer token).
//
//   GET  /v1/requests?status=pending        GET  /v1/requests/{id}?wait=N
//   POST /v1/requests/{id}/approve { grantSeconds?, reason? }
//   POST /v1/requests/{id}/deny    { reason }
//   POST /v1/requests/{id}/cancel
import { asRecord, callJson, listIn } from './json-call.ts';
import { parseReviewStatus, type AccessRequestStatus, type ReviewStatus } from './review-status.ts';
import { unexpected, type Transport } from './transport.ts';

export interface RequestsApi {
  list(options?: { status?: AccessRequestStatus; signal?: AbortSignal }): Promise<ReviewStatus[]>;
  /** The status; with `wait`, the gateway holds the call until it changes or `wait` seconds pass. */
  get(id: string, options?: { wait?: number; signal?: AbortSignal }): Promise<ReviewStatus>;
  approve(
    id: string,
    options?: { grantSeconds?: number; reason?: string; signal?: AbortSignal },
  ): Promise<ReviewStatus | undefined>;
  deny(
    id: string,
    options: { reason: string; signal?: AbortSignal },
  ): Promise<ReviewStatus | undefined>;
  cancel(id: string, options?: { signal?: AbortSignal }): Promise<ReviewStatus | undefined>;
}

export function createRequestsApi(transport: Transport): RequestsApi {
  const requestUrl = (
    id: string,
    action?: string,
    query?: Record<string, string | undefined>,
  ): URL => {
    if (id === '') throw new TypeError('id: empty');
    const base = `/v1/requests/${encodeURIComponent(id)}`;
    return transport.url(action === undefined ? base : `${base}/${action}`, query);
  };
  const decide = async (
    id: string,
    action: 'approve' | 'deny' | 'cancel',
    body: Record<string, unknown> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ReviewStatus | undefined> => {
    const { value } = await callJson(transport, requestUrl(id, action), {
      method: 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
    const record = asRecord(value);
    if (record === undefined) return undefined;
    // Either the view itself or a wrapper around it.
    const inner = asRecord(record.request) ?? asRecord(record.view) ?? record;
    return parseReviewStatus(inner, id);
  };

  return {
    async list(options = {}) {
      const url = transport.url('/v1/requests', { status: options.status });
      const { value, requestId } = await callJson(
        transport,
        url,
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const items = listIn(value, ['requests', 'items', 'data']);
      if (items === undefined) throw unexpected('the request list is not a list', requestId);
      return items.flatMap((item) => {
        const record = asRecord(item);
        const review = record === undefined ? undefined : parseReviewStatus(record);
        return review === undefined ? [] : [review];
      });
    },

    async get(id, options = {}) {
      const wait = options.wait;
      if (wait !== undefined && (!Number.isInteger(wait) || wait < 0))
        throw new TypeError('wait: an integer >= 0');
      const url = requestUrl(id, undefined, {
        wait: wait === undefined ? undefined : String(wait),
      });
      const { value, requestId } = await callJson(
        transport,
        url,
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const record = asRecord(value);
      const review = record === undefined ? undefined : parseReviewStatus(record, id);
      if (review === undefined)
        throw unexpected('the answer is not an access request status', requestId);
      return review;
    },

    approve(id, options = {}) {
      const { grantSeconds, reason } = options;
      if (grantSeconds !== undefined && (!Number.isInteger(grantSeconds) || grantSeconds <= 0)) {
        throw new TypeError('grantSeconds: an integer > 0');
      }
      const body: Record<string, unknown> = {};
      if (grantSeconds !== undefined) body.grantSeconds = grantSeconds;
      if (reason !== undefined) body.reason = reason;
      return decide(id, 'approve', body, options.signal);
    },

    deny(id, options) {
      if (options.reason.trim() === '') throw new TypeError('reason: a deny needs a reason');
      return decide(id, 'deny', { reason: options.reason }, options.signal);
    },

    cancel(id, options = {}) {
      return decide(id, 'cancel', undefined, options.signal);
    },
  };
}
