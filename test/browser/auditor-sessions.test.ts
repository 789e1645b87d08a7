// An auditor replays a recorded session in a real browser (Debian's Chromium
// via playwright-core) against the real local stack: wrangler dev (workerd,
// local D1/R2), the development IdP and the origin shim.
//
// The auditor pages take the reviewer sign-in session once its cookie reaches
// /audit (worker/auditor/browser-session.ts); until then the browser presents
// the auditor's bearer token on every request (extraHTTPHeaders), which is
// what this test does.
//
// The story: alice reads a large trace; dave opens the session list, follows
// the newest session, sees its timeline and the response as alice saw it (cut
// at the view limit, with a link to the raw replay, which is byte for byte);
// alice, not an auditor, is refused.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUserToken } from '../../local-dev/idp/get-token.ts';
import { repoRoot } from '../../local-dev/paths.ts';
import { startLocalStack, type LocalStack } from '../../local-dev/stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT = path.join(repoRoot, 'test-output', 'auditor-replay.png');
const VIEW_LIMIT = 256 * 1024;
const TRACE_BYTES = 400_000;

let stack: LocalStack;
let gatewayUrl: string;
let browser: Browser;
const scratch: string[] = [];

beforeAll(async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-browser-audit-'));
  scratch.push(stateDir);
  stack = await startLocalStack({ persistDir: stateDir, idpKeyFile: null });
  gatewayUrl = stack.gateway?.url ?? '';
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('replaying a session in the browser', () => {
  it('shows the session list, the timeline and the response as the reader saw it', async () => {
    const [alice, dave] = await Promise.all([
      getUserToken({ issuer: stack.idp.issuer, user: 'alice' }),
      getUserToken({ issuer: stack.idp.issuer, user: 'dave' }),
    ]);
    const read = await fetch(`${gatewayUrl}/otlp/generate/json?bytes=${TRACE_BYTES}&seed=browser`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    const served = await read.text();
    expect(read.status).toBe(200);
    const sessionId = read.headers.get('x-request-id') ?? '';

    const context = await browser.newContext({
      extraHTTPHeaders: { authorization: `Bearer ${dave}` },
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    const sessionLink = page.locator(`a[href="/audit/sessions/${sessionId}"]`);
    // The completion row is written just after the last byte: reload until it is listed.
    await expect
      .poll(
        async () => {
          await page.goto(`${gatewayUrl}/audit/sessions?namespace=otlp`);
          return sessionLink.count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    await sessionLink.click();
    await page.waitForURL(`${gatewayUrl}/audit/sessions/${sessionId}`);

    // textContent, not innerText: the badges are upper-cased by CSS only.
    const timeline = ((await page.locator('ol.timeline').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(timeline).toContain('Request GET /otlp/generate/json?bytes=400000&seed=browser');
    expect(timeline).toContain('Decision allow by rule requesters-read');
    expect(timeline).toContain(`End recording complete, ${TRACE_BYTES} bytes`);
    expect(await page.locator('p.notice').last().textContent()).toBe(
      `Showing the first ${VIEW_LIMIT} of ${TRACE_BYTES} bytes.`,
    );
    const shown = await page.locator('pre#body').textContent();
    expect(shown).toBe(
      new TextDecoder().decode(new TextEncoder().encode(served).slice(0, VIEW_LIMIT)),
    );

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });

    const rawHref = await page
      .getByRole('link', { name: 'Raw replay (byte for byte)' })
      .getAttribute('href');
    const raw = await page.request.get(`${gatewayUrl}${rawHref ?? ''}`);
    expect(raw.status()).toBe(200);
    expect(raw.headers()['content-type']).toBe('application/json');
    expect(await raw.text()).toBe(served);
    await context.close();

    const outsider = await browser.newContext({
      extraHTTPHeaders: { authorization: `Bearer ${alice}` },
    });
    const refused = await outsider.newPage();
    const response = await refused.goto(`${gatewayUrl}/audit/sessions/${sessionId}`);
    expect(response?.status()).toBe(403);
    expect(await refused.locator('h1').textContent()).toBe('Access denied');
    await outsider.close();
  });
});
