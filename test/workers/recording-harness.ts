// Shared set-up for the recording and auditor tests: a gateway with three
// namespaces (recording optional, required, disabled), tokens signed by a
// test issuer, a scripted trace store, and helpers to read D1 and R2.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../worker/app.ts';
import { validateGatewayConfig } from '../../worker/config/load.ts';
import type { GatewayConfig } from '../../worker/config/schema.ts';
import type { UpstreamFetch } from '../../worker/proxy/fetch-upstream.ts';
import { createTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

export const ORIGIN = 'https://origin.test';

export function harnessConfig(idp: TestIssuer, retentionDays = 30): GatewayConfig {
  const allowStaff = {
    rules: [{ id: 'staff-read', match: { groups: ['staff'] }, outcome: 'allow' }],
  };
  const upstream = { origin: ORIGIN, timeoutMs: 2000 };
  return validateGatewayConfig({
    version: 1,
    gateway: { auditorGroups: ['auditor'] },
    issuers: [
      {
        id: 'test',
        issuer: idp.issuer,
        jwksUri: idp.jwksUri,
        audiences: ['tracegate'],
        algorithms: ['RS256'],
      },
    ],
    namespaces: [
      {
        id: 'lf',
        pathPrefix: '/lf',
        upstream,
        resources: ['/traces/:traceId'],
        // Credential-like names too: recordings must redact their values.
        query: { allow: ['fields', 'api_key', 'access_token'] },
        policy: allowStaff,
        recording: { retentionDays },
      },
      {
        id: 'strict',
        pathPrefix: '/strict',
        upstream,
        resources: ['/traces/:traceId'],
        policy: allowStaff,
        recording: { required: true },
      },
      {
        id: 'norec',
        pathPrefix: '/norec',
        upstream,
        policy: allowStaff,
        recording: { enabled: false },
      },
    ],
  });
}

export interface Harness {
  idp: TestIssuer;
  config: GatewayConfig;
  staffToken: () => Promise<string>;
  auditorToken: () => Promise<string>;
  visitorToken: () => Promise<string>;
}

export async function createHarness(): Promise<Harness> {
  const idp = await createTestIssuer();
  const config = harnessConfig(idp);
  return {
    idp,
    config,
    staffToken: () => idp.sign({ sub: 'alice', email: 'alice@example.test', groups: ['staff'] }),
    auditorToken: () => idp.sign({ sub: 'dave', email: 'dave@example.test', groups: ['auditor'] }),
    visitorToken: () => idp.sign({ sub: 'mallory', groups: ['visitor'] }),
  };
}

export interface SendOptions {
  init?: RequestInit;
  upstream?: UpstreamFetch;
  /** Replaces bindings, e.g. a failing RECORDINGS bucket. */
  env?: Partial<Env> & Record<string, unknown>;
  partSize?: number;
}

export function appFor(harness: Harness, options: SendOptions = {}) {
  return createApp({
    config: harness.config,
    jwksFetch: harness.idp.jwksFetch,
    upstreamFetch:
      options.upstream ??
      (async (request) =>
        new Response(`unexpected upstream request ${request.url}`, { status: 599 })),
  });
}

/** Sends a request and reads the whole body, then waits for the background writes. */
export async function send(harness: Harness, path: string, options: SendOptions = {}) {
  const ctx = createExecutionContext();
  const response = await appFor(harness, options).request(
    `https://gateway.test${path}`,
    options.init ?? {},
    { ...env, ...options.env },
    ctx,
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { response, bytes, text: new TextDecoder().decode(bytes) };
}

export const bearer = (token: string, headers: Record<string, string> = {}): RequestInit => ({
  headers: { authorization: `Bearer ${token}`, ...headers },
});

export async function auditRows(requestId: string): Promise<Record<string, unknown>[]> {
  const { results } = await env.AUDIT_DB.prepare(
    'SELECT * FROM audit_events WHERE request_id = ? ORDER BY seq',
  )
    .bind(requestId)
    .all<Record<string, unknown>>();
  return results;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A body served in the given chunks, with a content type. */
export function chunkedResponse(chunks: string[], contentType: string): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
    { headers: { 'content-type': contentType } },
  );
}

/** A bucket that behaves like RECORDINGS except for the overridden methods. */
export function bucketWith(overrides: Partial<R2Bucket>): R2Bucket {
  const real = env.RECORDINGS;
  return {
    head: (...args) => real.head(...args),
    get: ((...args: Parameters<R2Bucket['get']>) => real.get(...args)) as R2Bucket['get'],
    put: ((...args: Parameters<R2Bucket['put']>) => real.put(...args)) as R2Bucket['put'],
    createMultipartUpload: (...args) => real.createMultipartUpload(...args),
    resumeMultipartUpload: (...args) => real.resumeMultipartUpload(...args),
    delete: (...args) => real.delete(...args),
    list: (...args) => real.list(...args),
    ...overrides,
  };
}
