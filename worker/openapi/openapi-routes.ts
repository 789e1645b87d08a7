// GET /openapi.json and GET /docs: public (no token: the document describes
// the API, not any data), cacheable, with a strong ETag so a client or shared
// cache revalidates cheaply. Mounted at `/` by worker/app.ts, before the
// catch-all trace read.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app.ts';
import { docsStyleHash, renderDocsPage } from './docs-page.ts';
import { openApiDocument } from './document.ts';

const CACHE_CONTROL = 'public, max-age=300';

interface Rendered {
  body: string;
  etag: string;
  headers: Record<string, string>;
}

async function sha256Tag(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  return `"${hex}"`;
}

/** Builds once per isolate; a failed build is retried on the next request. */
function memoize(build: () => Promise<Rendered>): () => Promise<Rendered> {
  let pending: Promise<Rendered> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

const documentJson = memoize(async () => {
  const { json } = openApiDocument();
  return {
    body: json,
    etag: await sha256Tag(json),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      // Public and credential-free: any origin's tooling may load it.
      'access-control-allow-origin': '*',
    },
  };
});

const docsHtml = memoize(async () => {
  const body = await renderDocsPage(openApiDocument().document);
  return {
    body,
    etag: await sha256Tag(body),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': [
        "default-src 'none'",
        `style-src ${await docsStyleHash()}`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
      'referrer-policy': 'no-referrer',
    },
  };
});

/** RFC 9110 §13.1.2: a weak comparison of If-None-Match against our tag. */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

function answer(c: Context<AppEnv>, rendered: Rendered): Response {
  const common = {
    'cache-control': CACHE_CONTROL,
    etag: rendered.etag,
    'x-content-type-options': 'nosniff',
    'x-request-id': c.get('requestId'),
  };
  if (notModified(c.req.header('if-none-match'), rendered.etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  return new Response(rendered.body, {
    status: 200,
    headers: { ...common, ...rendered.headers },
  });
}

export function createOpenApiRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/openapi.json', async (c) => answer(c, await documentJson()));
  app.get('/docs', async (c) => answer(c, await docsHtml()));

  return app;
}
