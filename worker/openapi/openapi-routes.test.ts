// GET /openapi.json and GET /docs as a client sees them: public, cacheable,
// revalidated by ETag, and the page self-contained under a CSP that allows no
// script and nothing from elsewhere.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, send, type Harness } from '../../test/workers/recording-harness.ts';
import { docsStyleHash } from './docs-page.ts';
import { buildOpenApiDocument } from './document.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

describe('GET /openapi.json', () => {
  it('serves the document without a token, as cacheable JSON', async () => {
    const { response, text } = await send(harness, '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('answers 304 with no body to a matching If-None-Match', async () => {
    const first = await send(harness, '/openapi.json');
    const etag = first.response.headers.get('etag') ?? '';
    const again = await send(harness, '/openapi.json', {
      init: { headers: { 'if-none-match': `W/"other", ${etag}` } },
    });
    expect(again.response.status).toBe(304);
    expect(again.bytes.byteLength).toBe(0);
    expect(again.response.headers.get('etag')).toBe(etag);
  });

  it('answers 200 to a stale If-None-Match', async () => {
    const { response } = await send(harness, '/openapi.json', {
      init: { headers: { 'if-none-match': '"stale"' } },
    });
    expect(response.status).toBe(200);
  });

  it('is not routed to the trace read (which would ask for a token)', async () => {
    const { response } = await send(harness, '/openapi.json', {
      init: { headers: { authorization: 'Bearer not-a-token' } },
    });
    expect(response.status).toBe(200);
  });
});

describe('GET /docs', () => {
  it('is HTML under a CSP with no script and only its own stylesheet', async () => {
    const { response, text } = await send(harness, '/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${await docsStyleHash()}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(text).not.toMatch(/<script|\son[a-z]+=|\ssrc=|<link|@import|url\(/i);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('loads nothing from elsewhere: every link stays on the page or this gateway', async () => {
    const { text } = await send(harness, '/docs');
    const hrefs = [...text.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(hrefs.length).toBeGreaterThan(20);
    expect(hrefs.filter((href) => !href.startsWith('#') && !href.startsWith('/'))).toEqual([]);
    const ids = new Set([...text.matchAll(/id="([^"]*)"/g)].map((m) => m[1]));
    const dangling = hrefs.filter((href) => href.startsWith('#') && !ids.has(href.slice(1)));
    expect(dangling).toEqual([]);
  });

  it('lists every operation and every schema of the document', async () => {
    const { text } = await send(harness, '/docs');
    const doc = buildOpenApiDocument();
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) expect(text).toContain(`id="op-${op.operationId}"`);
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect(text).toContain(`id="schema-${name}"`);
    }
    expect(text).toContain('Tracegate-Justification');
    expect(text).toContain('grantSeconds');
  });

  it('escapes what it renders', async () => {
    const { text } = await send(harness, '/docs');
    expect(text).toContain('<code>detail</code> is for people');
    expect(text).toContain('The caller&#39;s access requests');
  });

  it('revalidates by ETag like the document', async () => {
    const first = await send(harness, '/docs');
    const etag = first.response.headers.get('etag') ?? '';
    const again = await send(harness, '/docs', { init: { headers: { 'if-none-match': etag } } });
    expect(again.response.status).toBe(304);
  });
});
