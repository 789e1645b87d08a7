// The local development stack's Node services, started in-process on
// ephemeral ports: the origin shim (credentials, formats, generated traces,
// faults), the development IdP (the real browser flow, client credentials,
// tokens verified against its JWKS), the webhook sink, and startLocalStack
// without the gateway (wrangler is exercised by the gateway's own e2e tests).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portConfigText } from '../../local-dev/gateway-config.ts';
import { devSecretNames, ensureDevVars } from '../../local-dev/gateway-process.ts';
import {
  getClientCredentialsToken,
  getUserToken,
  getUserTokenSet,
} from '../../local-dev/idp/get-token.ts';
import { startIdp, type DevIdp } from '../../local-dev/idp/server.ts';
import { luhnCheckDigit } from '../../local-dev/origin-shim/synthetic-content.ts';
import {
  originTraceIds,
  startOriginShim,
  type OriginShim,
} from '../../local-dev/origin-shim/server.ts';
import { defaultTracesDir } from '../../local-dev/paths.ts';
import { startLocalStack } from '../../local-dev/stack.ts';
import {
  startWebhookSink,
  type Delivery,
  type WebhookSink,
} from '../../local-dev/webhook-sink/server.ts';

const basic = `Basic ${Buffer.from('pk-lf-local:sk-lf-local').toString('base64')}`;
const bearer = 'Bearer origin-local-token';
const fixture = (name: string): Buffer => readFileSync(path.join(defaultTracesDir, name));

interface OtlpExport {
  resourceSpans: { scopeSpans: { spans: { traceId: string; attributes: unknown[] }[] }[] }[];
}
interface Discovery {
  issuer: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
}

let shim: OriginShim;
let idp: DevIdp;
let sink: WebhookSink;

beforeAll(async () => {
  [shim, idp, sink] = await Promise.all([
    startOriginShim({ port: 0 }),
    startIdp({ port: 0, keyFile: null }),
    startWebhookSink({ port: 0 }),
  ]);
});
afterAll(async () => {
  await Promise.all([shim.close(), idp.close(), sink.close()]);
});

/** Reads a body chunk by chunk, counting bytes; `error` is set if the stream broke. */
async function drain(
  response: Response,
): Promise<{ bytes: number; chunks: number; error?: unknown }> {
  const reader = response.body?.getReader();
  let bytes = 0;
  let chunks = 0;
  try {
    for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
      bytes += r.value.byteLength;
      chunks++;
    }
    return { bytes, chunks };
  } catch (error) {
    return { bytes, chunks, error };
  }
}

describe('origin shim', () => {
  const get = (route: string, authorization?: string): Promise<Response> =>
    fetch(`${shim.url}${route}`, authorization === undefined ? {} : { headers: { authorization } });

  it('refuses a missing, wrong or wrong-scheme credential with 401', async () => {
    const trace = `/api/public/traces/${originTraceIds.langgraphWeather}`;
    const wrongBasic = `Basic ${Buffer.from('pk-lf-local:nope').toString('base64')}`;
    for (const [route, authorization] of [
      [trace, undefined],
      [trace, wrongBasic],
      [trace, bearer],
      ['/otlp/v1/traces/otlp-example', undefined],
      ['/otlp/v1/traces/otlp-example', 'Bearer origin-local-tokenX'],
      ['/otlp/v1/traces/otlp-example', basic],
      ['/generate/json?bytes=10', undefined],
    ] as const) {
      const response = await get(route, authorization);
      expect(response.status, `${route} with ${String(authorization)}`).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^(Basic|Bearer) realm=/);
      expect(await response.json()).toEqual({
        error: 'unauthorized',
        message: 'missing or invalid credentials',
      });
    }
    expect((await get('/healthz')).status).toBe(200);
  });

  it('serves the Langfuse exports byte for byte by id and alias, and 404 for unknown ids', async () => {
    const file = fixture('langfuse-langgraph-js.trace.json');
    for (const id of [originTraceIds.langgraphWeather, 'langgraph-weather']) {
      const response = await get(`/api/public/traces/${id}`, basic);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(Buffer.from(await response.arrayBuffer()).equals(file)).toBe(true);
    }
    const agents = await (await get('/api/public/traces/openai-agents-hello', basic)).json();
    expect(agents).toMatchObject({ trace: { id: originTraceIds.openaiAgentsHello } });
    const missing = await get('/api/public/traces/nope', basic);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('serves OTLP/JSON for the example trace and the wrapped GenAI span', async () => {
    const example = await get(`/otlp/v1/traces/${originTraceIds.otlpExample}`, bearer);
    expect(
      Buffer.from(await example.arrayBuffer()).equals(fixture('otlp-example-trace.json')),
    ).toBe(true);
    const genai = await (
      await get(`/otlp/v1/traces/${originTraceIds.genaiToolCalls}`, bearer)
    ).json<OtlpExport>();
    const span = genai.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span?.traceId).toBe(originTraceIds.genaiToolCalls);
    expect(span?.attributes).toContainEqual({
      key: 'gen_ai.request.model',
      value: { stringValue: 'gpt-4' },
    });
    expect(span?.attributes).toContainEqual({
      key: 'gen_ai.usage.input_tokens',
      value: { intValue: '97' },
    });
  });

  it('serves NDJSON with one observation per line', async () => {
    const response = await get('/ndjson/traces/langgraph-weather', bearer);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text()).trimEnd().split('\n');
    const exported = JSON.parse(fixture('langfuse-langgraph-js.trace.json').toString('utf8'));
    expect(lines.map((line) => JSON.parse(line))).toEqual(exported.observations);
  });

  it('streams the recorded Anthropic SSE body event by event', async () => {
    const response = await get(`/sse/traces/${originTraceIds.anthropicThinking}`, bearer);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const cassette = JSON.parse(
      fixture('anthropic-thinking-streaming.cassette.json').toString('utf8'),
    );
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let reads = 0;
    for (let r = await reader?.read(); r && !r.done; r = await reader?.read(), reads++) {
      text += decoder.decode(r.value, { stream: true });
    }
    expect(text).toBe(cassette.body);
    expect(reads).toBeGreaterThan(3);
  });

  it('generates 200 MB of JSON exactly, fast, without buffering it', async () => {
    const size = 200 * 1024 * 1024;
    const baseline = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(
        peak,
        now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers,
      );
    }, 20);
    const started = performance.now();
    const result = await drain(await get(`/generate/json?bytes=${size}&seed=big`, bearer));
    clearInterval(sampler);
    expect(result.error).toBeUndefined();
    expect(result.bytes).toBe(size);
    expect(performance.now() - started).toBeLessThan(30_000);
    // Buffering the body anywhere would need 200 MB; streaming peaks around 30 MB (GC lag).
    expect(peak).toBeLessThan(100 * 1024 * 1024);
  });

  it('generates the same bytes for the same seed, valid in each format, exact in length', async () => {
    const body = async (route: string): Promise<string> => (await get(route, bearer)).text();
    const a = await body('/generate/json?bytes=300000&seed=s1');
    expect(a).toBe(await body('/generate/json?bytes=300000&seed=s1'));
    expect(a).not.toBe(await body('/generate/json?bytes=300000&seed=s2'));
    // Addressed by id, the id seeds it.
    expect(await body('/generate/json/s1?bytes=300000')).toBe(a);
    expect(await body('/generate/json/s2?bytes=300000')).not.toBe(a);
    expect(Buffer.byteLength(a)).toBe(300000);
    expect(JSON.parse(a).observations.length).toBeGreaterThan(50);
    const ndjson = await body('/generate/ndjson?bytes=100000&seed=s1');
    expect(Buffer.byteLength(ndjson)).toBe(100000);
    for (const line of ndjson.trimEnd().split('\n')) JSON.parse(line);
    const sse = await body('/generate/sse?bytes=100000&seed=s1');
    expect(Buffer.byteLength(sse)).toBe(100000);
    expect(sse.startsWith('event: message_start\n')).toBe(true);
    expect(sse.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('plants emails, phones, Luhn-valid cards, AWS key ids and GitHub tokens when pii=1', async () => {
    const text = await (await get('/generate/json?bytes=500000&seed=pii&pii=1', bearer)).text();
    expect(text).toMatch(/[a-z]+[._]?[a-z]+\d*@(mail\.)?example\.(com|org|net)/);
    expect(text).toMatch(/\+1 \d{3}-555-01\d{2}|\+44 20 7946 0\d{3}/);
    expect(text).toMatch(/AKIA[A-Z2-7]{16}/);
    expect(text).toMatch(/ghp_[0-9A-Za-z]{36}/);
    const cards = [...text.matchAll(/card ([\d ]{17,19}),/g)].map((m) =>
      (m[1] ?? '').replaceAll(' ', ''),
    );
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect(luhnCheckDigit(card.slice(0, -1))).toBe(card.slice(-1));
    const clean = await (await get('/generate/json?bytes=500000&seed=pii', bearer)).text();
    expect(clean).not.toMatch(/AKIA|ghp_|@example\.|card \d/);
  });

  it('truncates the body after N bytes with reset-after', async () => {
    const response = await get('/generate/json?bytes=1000000&fault=reset-after:1000', bearer);
    expect(response.status).toBe(200);
    const result = await drain(response);
    expect(result.bytes).toBe(1000);
    expect(result.error).toBeDefined();
  });

  it('gzips the body with the gzip fault, whatever Accept-Encoding asked for', async () => {
    const trace = `/otlp/v1/traces/${originTraceIds.otlpExample}`;
    const plain = await get(trace, bearer);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainText = await plain.text();
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${shim.url}${trace}?fault=gzip`,
          { headers: { authorization: bearer, 'accept-encoding': 'identity' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
            );
            res.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    expect(raw.encoding).toBe('gzip');
    expect(raw.body.length).toBeLessThan(plainText.length);
    expect(gunzipSync(raw.body).toString()).toBe(plainText);
  });

  it('injects status, delay and slow faults, and rejects unknown ones', async () => {
    const failed = await get('/otlp/v1/traces/otlp-example?fault=status:503', bearer);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    const started = performance.now();
    const slow = await get(
      '/otlp/v1/traces/otlp-example?fault=delay:200&fault=slow:300:20',
      bearer,
    );
    const result = await drain(slow);
    // 200 ms head delay, then 1229 bytes at 300 bytes per 20 ms tick.
    expect(result.bytes).toBe(1229);
    expect(result.chunks).toBeGreaterThanOrEqual(4);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect((await get('/healthz?fault=explode', bearer)).status).toBe(200);
    expect((await get('/otlp/v1/traces/otlp-example?fault=explode:1', bearer)).status).toBe(400);
  });
});

describe('development IdP', () => {
  const verify = async (token: string, audience: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(idp.jwksUri)), {
      issuer: idp.issuer,
      audience,
      algorithms: ['RS256'],
    });

  it('publishes discovery and an RS256 JWKS with a kid', async () => {
    const discovery = await (
      await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    ).json<Discovery>();
    expect(discovery).toMatchObject({ issuer: idp.issuer, jwks_uri: idp.jwksUri });
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = await (await fetch(idp.jwksUri)).json<{ keys: Record<string, unknown>[] }>();
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) }),
    ]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('issues a user a JWT access token for the gateway through the login and consent pages', async () => {
    const token = await getUserToken({
      issuer: idp.issuer,
      user: 'alice',
      clientId: 'tracegate-review',
      redirectUri: 'http://localhost:8787/review/callback',
    });
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: expect.any(String),
    });
    const { payload } = await verify(token, 'tracegate');
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: 'tracegate',
      sub: 'alice',
      email: 'alice@example.test',
      groups: ['requester'],
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('puts each test user groups in access and ID tokens', async () => {
    const expected = {
      bob: ['reviewer'],
      dave: ['auditor'],
      erin: ['requester', 'reviewer'],
      mallory: [],
    };
    for (const [user, groups] of Object.entries(expected)) {
      const tokens = await getUserTokenSet({ issuer: idp.issuer, user });
      expect((await verify(tokens.accessToken, 'tracegate')).payload.groups).toEqual(groups);
      const idToken = await verify(tokens.idToken ?? '', 'tracegate-review');
      expect(idToken.payload).toMatchObject({ sub: user, email: `${user}@example.test`, groups });
    }
  });

  it('refuses a wrong password and an unregistered redirect URI', async () => {
    await expect(
      getUserToken({ issuer: idp.issuer, user: 'alice', password: 'wrong' }),
    ).rejects.toThrow(/wrong password/);
    await expect(
      getUserToken({ issuer: idp.issuer, user: 'alice', redirectUri: 'http://evil.test/callback' }),
    ).rejects.toThrow();
  });

  it('serves a login page a browser can fill in', async () => {
    const authorize = new URL(`${idp.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'tracegate-review',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:8787/review/callback',
      scope: 'openid',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    const page = await fetch(new URL(redirect.headers.get('location') ?? '', idp.issuer), {
      headers: {
        cookie: redirect.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
    });
    const html = await page.text();
    expect(html).toMatch(/<form method="post" action="\/interaction\/[\w-]+\/login"/);
    expect(html).toContain('name="username"');
    expect(html).toContain('type="password"');
  });

  it('issues the machine client a token for svc-agent in the requester group', async () => {
    const token = await getClientCredentialsToken({ issuer: idp.issuer });
    const { payload } = await verify(token, 'tracegate');
    expect(payload).toMatchObject({
      sub: 'svc-agent',
      client_id: 'tracegate-cli',
      groups: ['requester'],
    });
    await expect(
      getClientCredentialsToken({ issuer: idp.issuer, clientSecret: 'wrong' }),
    ).rejects.toThrow(/invalid_client/);
  });
});

describe('webhook sink', () => {
  const post = (name: string, body: unknown): Promise<Response> =>
    fetch(`${sink.url}/hooks/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body: JSON.stringify(body),
    });

  it('records deliveries and lists them newest first as JSON', async () => {
    expect((await post('generic', { n: 1 })).status).toBe(200);
    expect((await post('generic', { n: 2 })).status).toBe(200);
    expect((await post('other', { n: 3 })).status).toBe(200);
    const { deliveries } = await (
      await fetch(`${sink.url}/api/deliveries?name=generic`)
    ).json<{
      deliveries: Delivery[];
    }>();
    expect(deliveries.map((d) => d.json)).toEqual([{ n: 2 }, { n: 1 }]);
    expect(deliveries[0]?.headers['webhook-id']).toBe('msg_1');
  });

  it('shows deliveries as HTML with payload links clickable and markup escaped', async () => {
    await post('slack', {
      text: 'New request <http://localhost:8787/review/req_123|Review> <script>x</script>',
    });
    const html = await (await fetch(sink.url)).text();
    expect(html).toContain('<a href="http://localhost:8787/review/req_123"');
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('fails N times on request, then accepts again', async () => {
    await fetch(`${sink.url}/control/fail?name=flaky&count=2`, { method: 'POST' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('flaky', { attempt: i })).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(sink.deliveries('flaky').map((d) => d.status)).toEqual([200, 500, 500]);
  });
});

describe('local stack', () => {
  it('starts and stops the Node services on ephemeral ports without the gateway', async () => {
    const stack = await startLocalStack({ gateway: false, idpKeyFile: null });
    try {
      expect(stack.gateway).toBeUndefined();
      expect((await fetch(`${stack.origin.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${stack.sink.url}/healthz`)).status).toBe(200);
      const token = await getUserToken({ issuer: stack.idp.issuer, user: 'erin' });
      expect(token.split('.')).toHaveLength(3);
    } finally {
      await stack.close();
    }
    await expect(fetch(`${stack.origin.url}/healthz`)).rejects.toThrow();
  });

  it('points a copy of the gateway configuration at non-default ports', () => {
    const yaml =
      'issuer: http://localhost:9400\norigin: http://localhost:9300\nother: http://localhost:9999\n';
    expect(portConfigText(yaml, { origin: 40001, idp: 40002, sink: 40003, gateway: 40004 })).toBe(
      'issuer: http://localhost:40002\norigin: http://localhost:40001\nother: http://localhost:9999\n',
    );
  });
});

describe('.dev.vars', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-dev-vars-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** name → value of the assignments in a dotenv text. */
  const assignments = (text: string): Map<string, string> =>
    new Map(
      text
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );

  it('is written with every development secret, readable by its owner only, when missing', () => {
    const file = path.join(dir, 'fresh.dev.vars');
    expect(ensureDevVars(file)).toMatchObject({ created: true });
    const vars = assignments(readFileSync(file, 'utf8'));
    expect([...vars.keys()].sort()).toEqual([...devSecretNames].sort());
    expect(devSecretNames).toEqual(
      expect.arrayContaining([
        'LANGFUSE_CREDENTIAL',
        'ORIGIN_TOKEN',
        'SESSION_SECRET',
        'WEBHOOK_SECRET',
      ]),
    );
    expect(vars.get('SESSION_SECRET')?.length).toBeGreaterThanOrEqual(32);
    expect(vars.get('WEBHOOK_SECRET')).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('gains the secrets an older file lacks, and keeps every existing line as it was', () => {
    const file = path.join(dir, 'older.dev.vars');
    // From before SESSION_SECRET and WEBHOOK_SECRET, with a commented-out one and no final newline.
    const older = [
      '# my local secrets',
      'LANGFUSE_CREDENTIAL=pk-mine:sk-mine',
      'export ORIGIN_TOKEN="kept as it is"',
      '# SESSION_SECRET=commented-out-does-not-count',
    ].join('\n');
    writeFileSync(file, older, { mode: 0o600 });

    const result = ensureDevVars(file);
    const lacking = devSecretNames.filter(
      (name) => name !== 'LANGFUSE_CREDENTIAL' && name !== 'ORIGIN_TOKEN',
    );
    expect(lacking).toEqual(expect.arrayContaining(['SESSION_SECRET', 'WEBHOOK_SECRET']));
    expect(result).toEqual({ path: file, created: false, added: lacking });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${older}\n`)).toBe(true);
    const vars = assignments(text);
    expect(vars.get('LANGFUSE_CREDENTIAL')).toBe('pk-mine:sk-mine');
    expect(vars.has('ORIGIN_TOKEN')).toBe(false); // `export …` is kept, not repeated
    expect(text.match(/ORIGIN_TOKEN=/g)).toHaveLength(1);
    expect(vars.get('SESSION_SECRET')?.length).toBeGreaterThanOrEqual(32);
    expect(vars.get('WEBHOOK_SECRET')).toMatch(/^whsec_/);
  });

  it('is left untouched when it already has every secret', () => {
    const file = path.join(dir, 'complete.dev.vars');
    ensureDevVars(file);
    const before = readFileSync(file, 'utf8');
    expect(ensureDevVars(file)).toEqual({ path: file, created: false, added: [] });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
