// Errors: problem+json mapped field by field, one test per gateway code, and
// the bearer token kept out of every message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracegateClient, formatProblem, TracegateError } from '../../sdk/index.ts';
import { problem, ScriptedGateway } from './support/scripted-gateway.ts';

let gateway: ScriptedGateway;
let token: string;

beforeEach(async () => {
  gateway = await ScriptedGateway.start();
  token = gateway.mintToken('alice');
  gateway.traces.set('/open/t/1', { body: 'trace' });
});

afterEach(async () => {
  await gateway.close();
});

async function failure(promise: Promise<unknown>): Promise<TracegateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TracegateError))
    throw new Error(`expected a TracegateError, got ${String(error)}`);
  return error;
}

const read = (options: { token?: string | (() => Promise<string>); baseUrl?: string } = {}) =>
  createTracegateClient({
    baseUrl: options.baseUrl ?? gateway.url,
    token: options.token ?? token,
  }).readTrace({ path: '/open/t/1' });

// The gateway's closed list (worker/http/errors.ts) with the status of each.
const GATEWAY_CODES: [string, number][] = [
  ['unauthenticated', 401],
  ['invalid_token', 401],
  ['idp_unavailable', 503],
  ['access_denied', 403],
  ['blocked', 403],
  ['not_found', 404],
  ['bad_request', 400],
  ['justification_required', 400],
  ['too_many_pending_requests', 429],
  ['review_denied', 403],
  ['review_expired', 410],
  ['review_cancelled', 410],
  ['review_conflict', 409],
  ['csrf_failed', 403],
  ['not_a_reviewer', 403],
  ['self_approval', 403],
  ['audit_unavailable', 503],
  ['upstream_unavailable', 502],
  ['upstream_timeout', 504],
  ['masking_failed', 502],
  ['recording_unavailable', 503],
  ['gateway_misconfigured', 500],
  ['internal_error', 500],
];

describe('problem+json mapping', () => {
  it.each(GATEWAY_CODES)(
    'a %s problem (%i) becomes a TracegateError with every field',
    async (code, status) => {
      gateway.intercept = (_request, response) => {
        problem(response, 'req_fixed', code, status, `Title of ${code}`, `Detail of ${code}`, {
          'x-extra': '1',
        });
        return true;
      };
      const error = await failure(read());
      expect(error).toMatchObject({
        code,
        status,
        title: `Title of ${code}`,
        detail: `Detail of ${code}`,
        requestId: 'req_fixed',
        type: `https://tracegate.dev/problems/${code}`,
      });
      expect(error.message).toBe(`Title of ${code}: Detail of ${code} (${code}, req_fixed)`);
    },
  );

  it('keeps extension members of the problem document', async () => {
    gateway.intercept = (_request, response) => {
      response.writeHead(403, { 'content-type': 'application/problem+json' });
      response.end(
        JSON.stringify({
          title: 'Blocked',
          status: 403,
          detail: 'No bulk reads.',
          code: 'blocked',
          requestId: 'r1',
          ruleId: 'block-bulk',
        }),
      );
      return true;
    };
    expect((await failure(read())).extensions).toEqual({ ruleId: 'block-bulk' });
  });

  it('maps a non-problem error page by its status, with the x-request-id', async () => {
    gateway.intercept = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req_html' });
      response.end('<html>bad gateway</html>');
      return true;
    };
    const error = await failure(read());
    expect(error).toMatchObject({
      code: 'upstream_unavailable',
      status: 502,
      title: 'HTTP 502',
      requestId: 'req_html',
    });
    expect(error.message).not.toContain('<html>');
  });

  it('retries a 503 that carries Retry-After', async () => {
    let refusals = 0;
    gateway.intercept = (_request, response) => {
      if (refusals > 0) return false;
      refusals += 1;
      response.setHeader('retry-after', '1');
      problem(response, 'r', 'idp_unavailable', 503, 'Identity provider unavailable', 'try again');
      return true;
    };
    const trace = await read();
    expect(await new Response(trace.body).text()).toBe('trace');
    expect(gateway.requests).toHaveLength(2);
  });

  it('formats as "title: detail (code, requestId)"', () => {
    expect(
      formatProblem({
        title: 'Review denied',
        detail: 'no',
        code: 'review_denied',
        requestId: 'r9',
      }),
    ).toBe('Review denied: no (review_denied, r9)');
    expect(
      formatProblem({
        title: 'Network error',
        detail: 'x',
        code: 'network_error',
        requestId: undefined,
      }),
    ).toBe('Network error: x (network_error)');
  });
});

describe('the bearer token never appears in an error', () => {
  it('is scrubbed from a problem the gateway echoes it into', async () => {
    gateway.intercept = (request, response) => {
      const auth = request.headers.authorization ?? '';
      problem(response, 'r', 'invalid_token', 401, `Invalid ${auth}`, `Got ${auth}`);
      return true;
    };
    const error = await failure(read());
    expect(error.code).toBe('invalid_token');
    expect(`${error.message} ${error.title} ${error.detail} ${error.stack ?? ''}`).not.toContain(
      token,
    );
    expect(error.detail).toBe('Got Bearer [REDACTED]');
  });

  it('is absent from a network error', async () => {
    const url = gateway.url;
    await gateway.close();
    const error = await failure(read({ baseUrl: url }));
    expect(error.code).toBe('network_error');
    expect(`${error.message} ${error.stack ?? ''} ${String(error.cause)}`).not.toContain(token);
    gateway = await ScriptedGateway.start();
  });

  it('is not quoted when it cannot go in a header', async () => {
    const bad = `${token}\nX-Injected: 1`;
    const error = await failure(read({ token: () => Promise.resolve(bad) }));
    expect(error.code).toBe('token_unavailable');
    expect(error.message).not.toContain(token);
    expect(gateway.requests).toHaveLength(0);
  });

  it('is not quoted when the token function fails', async () => {
    const error = await failure(
      read({ token: () => Promise.reject(new Error(`refresh of ${token} failed`)) }),
    );
    expect(error.code).toBe('token_unavailable');
    expect(error.message).not.toContain(token);
  });
});

describe('the token stays at the gateway', () => {
  it('refuses a Location on another origin and sends nothing there', async () => {
    const elsewhere = await ScriptedGateway.start();
    try {
      gateway.intercept = (_request, response) => {
        response.writeHead(202, {
          location: `${elsewhere.url}/v1/requests/ar_1`,
          'content-type': 'application/json',
        });
        response.end(JSON.stringify({ id: 'ar_1', status: 'pending' }));
        return true;
      };
      const error = await failure(read());
      expect(error.code).toBe('unexpected_response');
      expect(error.detail).toContain('another origin');
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('does not follow redirects', async () => {
    const elsewhere = await ScriptedGateway.start();
    try {
      gateway.intercept = (_request, response) => {
        response.writeHead(302, { location: `${elsewhere.url}/open/t/1` });
        response.end();
        return true;
      };
      const error = await failure(read());
      expect(error.status).toBe(302);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });
});
