import { describe, expect, it } from 'vitest';
import { GatewayError, describeError, type ErrorCode } from './errors.ts';
import { problemResponse } from './problem.ts';

// Every code of the closed list, so a new code without a rendering test fails typecheck here.
const ALL_CODES: Record<ErrorCode, number> = {
  unauthenticated: 401,
  invalid_token: 401,
  idp_unavailable: 503,
  access_denied: 403,
  blocked: 403,
  not_found: 404,
  bad_request: 400,
  justification_required: 400,
  too_many_pending_requests: 429,
  review_denied: 403,
  review_expired: 410,
  review_cancelled: 410,
  review_conflict: 409,
  csrf_failed: 403,
  not_a_reviewer: 403,
  self_approval: 403,
  audit_unavailable: 503,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  masking_failed: 502,
  recording_unavailable: 503,
  gateway_misconfigured: 500,
  internal_error: 500,
};

describe('problemResponse', () => {
  for (const [code, status] of Object.entries(ALL_CODES) as [ErrorCode, number][]) {
    it(`renders ${code} as ${status} problem+json without the internal cause`, async () => {
      const error = new GatewayError(code, {
        cause: new Error('secret internal detail at line 42'),
      });
      const response = problemResponse(error, 'req-1');
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const text = await response.text();
      expect(text).not.toContain('secret internal detail');
      expect(text).not.toMatch(/\bat .*:\d+/);
      expect(JSON.parse(text)).toEqual({
        type: `https://tracegate.dev/problems/${code}`,
        title: describeError(code).title,
        status,
        detail: describeError(code).detail,
        code,
        requestId: 'req-1',
      });
    });
  }

  it('adds an RFC 6750 challenge to authentication failures only', () => {
    expect(
      problemResponse(new GatewayError('unauthenticated'), 'r').headers.get('www-authenticate'),
    ).toBe('Bearer realm="tracegate"');
    expect(
      problemResponse(new GatewayError('invalid_token'), 'r').headers.get('www-authenticate'),
    ).toBe('Bearer realm="tracegate", error="invalid_token"');
    expect(
      problemResponse(new GatewayError('access_denied'), 'r').headers.get('www-authenticate'),
    ).toBeNull();
  });

  it('uses a public detail and extensions when given', async () => {
    const error = new GatewayError('blocked', {
      publicDetail: 'Listing is disabled.',
      extensions: { ruleId: 'no-list' },
      headers: { 'retry-after': '5' },
    });
    const response = problemResponse(error, 'r');
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({
      detail: 'Listing is disabled.',
      ruleId: 'no-list',
    });
  });
});
