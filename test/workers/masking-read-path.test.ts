// Step 7 on the real read path inside workerd: a namespace's masking profile
// applies to what the caller gets, to what the recording keeps, and to the
// audit (counts, never values); every failure is closed.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { validateGatewayConfig } from '../../worker/config/load.ts';
import { createTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

const EMAIL = 'jane.doe@example.com';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';

let idp: TestIssuer;
let upstreamBody: () => Response;
let upstreamRequests: Request[] = [];

function app(profileOperators: Record<string, unknown> = { default: 'replace' }) {
  const config = validateGatewayConfig({
    version: 1,
    issuers: [
      {
        id: 't',
        issuer: idp.issuer,
        jwksUri: idp.jwksUri,
        audiences: ['tracegate'],
        algorithms: ['RS256'],
      },
    ],
    masking: {
      profiles: {
        strict: {
          detectors: 'all',
          allow: ['..id'],
          operators: profileOperators,
          otherContentTypes: 'refuse',
        },
      },
    },
    namespaces: [
      {
        id: 'lf',
        pathPrefix: '/lf',
        mask: 'strict',
        upstream: { origin: 'https://origin.test' },
        resources: ['/traces/:id'],
        policy: { rules: [{ id: 'read', match: { groups: ['staff'] }, outcome: 'allow' }] },
      },
      {
        id: 'raw',
        pathPrefix: '/raw',
        upstream: { origin: 'https://origin.test' },
        resources: ['/traces/:id'],
        policy: { rules: [{ id: 'read', match: { groups: ['staff'] }, outcome: 'allow' }] },
      },
    ],
  });
  return createApp({
    config,
    jwksFetch: idp.jwksFetch,
    upstreamFetch: async (request) => {
      upstreamRequests.push(request);
      return upstreamBody();
    },
  });
}

function chunked(parts: string[], contentType = 'application/json'): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(encoder.encode(part));
        controller.close();
      },
    }),
    { headers: { 'content-type': contentType } },
  );
}

async function read(
  application = app(),
  secrets: Record<string, string> = {},
  request: { path?: string; method?: string; headers?: Record<string, string> } = {},
) {
  const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
  const ctx = createExecutionContext();
  // Only the secrets a test passes: a developer's .dev.vars must not leak in.
  const bindings: Record<string, unknown> = { ...env, MASKING_HMAC_KEY: undefined, ...secrets };
  const response = await application.request(
    `https://gateway.test${request.path ?? '/lf/traces/t1'}`,
    {
      method: request.method ?? 'GET',
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    },
    bindings,
    ctx,
  );
  let body: string | null = null;
  let streamError: unknown = null;
  try {
    body = await response.text();
  } catch (error) {
    streamError = error;
  }
  await waitOnExecutionContext(ctx);
  const rows = await env.AUDIT_DB.prepare(
    'SELECT * FROM audit_events WHERE request_id = ? ORDER BY seq',
  )
    .bind(response.headers.get('x-request-id'))
    .all<Record<string, unknown>>();
  return { response, body, streamError, rows: rows.results };
}

beforeAll(async () => {
  idp = await createTestIssuer();
});
beforeEach(() => {
  upstreamRequests = [];
  upstreamBody = () =>
    chunked([
      '{"id":"t1","input":"mail jane.d',
      `oe@example.com, key AKIAIOSF`,
      'ODNN7EXAMPLE","n":1}',
    ]);
});

describe('masking on the read path', () => {
  it('masks secrets split across upstream chunks and keeps allow-listed ids', async () => {
    const { response, body } = await read();
    expect(response.status).toBe(200);
    expect(body).not.toContain(EMAIL);
    expect(body).not.toContain(AWS_KEY);
    const parsed = JSON.parse(body ?? '') as { id: string; input: string; n: number };
    expect(parsed.id).toBe('t1');
    expect(parsed.input).toContain('[EMAIL]');
    expect(parsed.n).toBe(1);
  });

  it('puts masked counts per entity type in the completion row, never the values', async () => {
    const { rows } = await read();
    const completed = rows.find((row) => row.event === 'completed');
    expect(JSON.parse(String(completed?.mask_counts))).toMatchObject({
      EMAIL: 1,
      AWS_ACCESS_KEY: 1,
    });
    expect(JSON.stringify(rows)).not.toContain(EMAIL);
    expect(JSON.stringify(rows)).not.toContain(AWS_KEY);
  });

  it('records the masked bytes, not the raw ones', async () => {
    const { body, rows } = await read();
    const completed = rows.find((row) => row.event === 'completed');
    const key = String(completed?.recording_key);
    // recording_key is the session prefix (it ends with "/").
    const recorded = await env.RECORDINGS.get(`${key}body`);
    expect(await recorded?.text()).toBe(body);
  });

  it('ends the response without raw bytes when the trace is malformed', async () => {
    upstreamBody = () => chunked(['{"id":"t1","input":"fine"}', `,{"leak":"${EMAIL}"`, '}}}']);
    const { response, body, streamError, rows } = await read();
    expect(response.status).toBe(200); // the head was sent; the body then breaks
    expect(body).toBeNull();
    expect(streamError).not.toBeNull();
    const failed = rows.find((row) => row.event === 'failed');
    expect(String(failed?.reason)).toMatch(/malformed_json/);
    expect(JSON.stringify(rows)).not.toContain(EMAIL);
  });

  it('drops the store’s ETag from a masked answer: it describes the raw bytes', async () => {
    upstreamBody = () => {
      const response = chunked(['{"id":"t1","input":"jane.doe@example.com"}']);
      response.headers.set('etag', '"raw-v1"');
      response.headers.set('last-modified', 'Tue, 24 Nov 2026 10:00:00 GMT');
      return response;
    };
    const { response, body } = await read();
    expect(response.status).toBe(200);
    expect(body).not.toContain(EMAIL);
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('last-modified')).toBe('Tue, 24 Nov 2026 10:00:00 GMT');
  });

  it('keeps conditional headers from the store and its ETag from HEAD on a masked read', async () => {
    // A caller guessing the raw trace's ETag must not get "304, that is current".
    upstreamBody = () => {
      const response = chunked(['{"id":"t1","input":"jane.doe@example.com"}']);
      response.headers.set('etag', '"raw-v1"');
      return response;
    };
    const conditional = {
      'if-none-match': '"raw-v1"',
      'if-match': '"raw-v1"',
      'if-modified-since': 'Tue, 24 Nov 2026 10:00:00 GMT',
      'if-unmodified-since': 'Tue, 24 Nov 2026 10:00:00 GMT',
    };
    const get = await read(app(), {}, { headers: conditional });
    expect(get.response.status).toBe(200);
    const head = await read(app(), {}, { method: 'HEAD', headers: conditional });
    expect(head.response.status).toBe(200);
    expect(head.response.headers.get('etag')).toBeNull();
    expect(upstreamRequests).toHaveLength(2);
    for (const sent of upstreamRequests)
      for (const name of Object.keys(conditional)) expect(sent.headers.get(name)).toBeNull();

    // Where no profile applies, revalidation against the store still works.
    const raw = await read(app(), {}, { path: '/raw/traces/t1', headers: conditional });
    expect(raw.response.headers.get('etag')).toBe('"raw-v1"');
    for (const [name, value] of Object.entries(conditional))
      expect(upstreamRequests[2]?.headers.get(name)).toBe(value);
  });

  it('refuses a content type the profile cannot mask before any byte flows', async () => {
    upstreamBody = () => chunked(['\x89PNG raw bytes'], 'image/png');
    const { response, body } = await read();
    expect(response.status).toBe(502);
    expect(JSON.parse(body ?? '')).toMatchObject({ code: 'masking_failed' });
    expect(body).not.toContain('PNG');
  });

  it('refuses HEAD where GET would be refused, and audits it', async () => {
    // HEAD carries no body, but its answer must not say "200, readable" for a
    // trace the namespace would refuse to serve.
    upstreamBody = () => chunked(['\x89PNG raw bytes'], 'image/png');
    const head = await read(app(), {}, { method: 'HEAD' });
    expect(head.response.status).toBe(502);
    expect(head.rows.map((row) => row.event)).toContain('failed');
    expect(head.rows.find((row) => row.event === 'failed')?.reason).toMatch(/content type refused/);
    // Where no profile applies, HEAD answers from the store as before.
    const raw = await read(app(), {}, { path: '/raw/traces/t1', method: 'HEAD' });
    expect(raw.response.status).toBe(200);
    expect(raw.response.headers.get('content-type')).toBe('image/png');
  });

  it('fails closed when the profile pseudonymises and no MASKING_HMAC_KEY is set', async () => {
    const hashing = app({ default: 'replace', EMAIL: 'hash' });
    const missing = await read(hashing);
    expect(missing.response.status).toBe(500);
    expect(JSON.parse(missing.body ?? '')).toMatchObject({ code: 'gateway_misconfigured' });
    const keyed = await read(hashing, {
      MASKING_HMAC_KEY: 'a-test-only-masking-hmac-key-0123456789',
    });
    expect(keyed.response.status).toBe(200);
    expect(keyed.body).toMatch(/\[EMAIL:[0-9a-f]+\]/);
    // The same value maps to the same token, so masked traces stay joinable.
    const again = await read(hashing, {
      MASKING_HMAC_KEY: 'a-test-only-masking-hmac-key-0123456789',
    });
    expect(again.body).toBe(keyed.body);
  });
});
