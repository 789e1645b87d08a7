// The auditor's pages: the session list links each session; the replay page
// shows the timeline and the response as the reader saw it, escaped (a
// recorded body is text, never markup), cut at the view limit with a link to
// the raw replay; no script is allowed on the page.
import { beforeAll, describe, expect, it } from 'vitest';
import { VIEW_LIMIT } from '../../worker/auditor/auditor-pages.ts';
import { bearer, createHarness, send, type Harness } from './recording-harness.ts';

let harness: Harness;
let auditor: RequestInit;
beforeAll(async () => {
  harness = await createHarness();
  auditor = bearer(await harness.auditorToken());
});

const hostile =
  '{"output":"</pre><script>alert(document.cookie)</script><img src=x onerror=alert(1)>"}';

async function serve(
  path: string,
  body: string | Uint8Array,
  contentType: string,
): Promise<string> {
  const served = await send(harness, path, {
    init: bearer(await harness.staffToken()),
    upstream: async () => new Response(body, { headers: { 'content-type': contentType } }),
  });
  return served.response.headers.get('x-request-id') ?? '';
}

describe('the replay page', () => {
  it('shows the body escaped, the timeline, the response head, and allows no script', async () => {
    const id = await serve('/lf/traces/hostile', hostile, 'application/json');
    const { response, text } = await send(harness, `/audit/sessions/${id}`, { init: auditor });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<img src=x');
    expect(text).toContain('&lt;/pre&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    for (const label of ['Request', 'Decision', 'Response', 'End'])
      expect(text).toContain(`<strong>${label}</strong>`);
    expect(text).toContain('staff-read');
    expect(text).toContain(`href="/audit/sessions/${id}/body"`);
  });

  it('cuts a large body at the view limit and links the raw replay', async () => {
    const size = VIEW_LIMIT + 5000;
    const id = await serve('/lf/traces/large', 'x'.repeat(size), 'text/plain');
    const { text } = await send(harness, `/audit/sessions/${id}`, { init: auditor });
    expect(text).toContain(`Showing the first ${VIEW_LIMIT} of ${size} bytes.`);
    const shown = /<pre class="body" id="body">(x*)<\/pre>/.exec(text)?.[1];
    expect(shown?.length).toBe(VIEW_LIMIT);
    const raw = await send(harness, `/audit/sessions/${id}/body`, { init: auditor });
    expect(raw.bytes.byteLength).toBe(size);
  });

  it('does not render a binary body as text', async () => {
    const id = await serve(
      '/lf/traces/binary',
      new Uint8Array([0, 159, 146, 150]),
      'application/octet-stream',
    );
    const { text } = await send(harness, `/audit/sessions/${id}`, { init: auditor });
    expect(text).toContain('Not shown as text.');
    expect(text).not.toContain('<pre class="body"');
  });

  it('answers an HTML 404 page for an unknown session', async () => {
    const { response, text } = await send(harness, `/audit/sessions/${crypto.randomUUID()}`, {
      init: auditor,
    });
    expect(response.status).toBe(404);
    expect(text).toContain('No recorded session with this id.');
  });
});

describe('the session list', () => {
  it('links sessions newest first, keeps the filters in the form, and pages', async () => {
    const first = await serve('/lf/traces/list-1', '{}', 'application/json');
    const second = await serve('/lf/traces/list-2', '{}', 'application/json');
    const { text } = await send(harness, '/audit/sessions?namespace=lf&actor=alice&limit=1', {
      init: auditor,
    });
    expect(text).toContain(`href="/audit/sessions/${second}"`);
    expect(text).not.toContain(`href="/audit/sessions/${first}"`);
    expect(text).toContain('name="namespace" value="lf"');
    const next = /href="\/audit\/sessions\?([^"]+)">Older sessions/
      .exec(text)?.[1]
      ?.replaceAll('&amp;', '&');
    expect(next).toContain('namespace=lf');
    const older = await send(harness, `/audit/sessions?${next ?? ''}&limit=1`, { init: auditor });
    expect(older.text).toContain(`href="/audit/sessions/${first}"`);
  });

  it('escapes filter values echoed into the form', async () => {
    const { text } = await send(harness, '/audit/sessions?namespace=%22%3E%3Cscript%3E', {
      init: auditor,
    });
    expect(text).not.toContain('"><script>');
    expect(text).toContain('value="&quot;&gt;&lt;script&gt;"');
  });
});
