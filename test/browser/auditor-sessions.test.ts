// An auditor replays a recorded session in a real browser (Debian's Chromium
// via playwright-core) against the real local stack: wrangler dev (workerd,
// local D1/R2), the development IdP and the origin shim.
//
// The auditor pages take the one gateway session (worker/auditor/browser-session.ts):
// the browser sends no bearer header here, only the session cookie the
// sign-in at /review/login set.
//
// The story: alice reads a large trace; dave opens the session list, is sent
// to the development IdP, signs in and lands back on the list; he follows the
// newest session, sees its timeline and the response as alice saw it (cut at
// the view limit, with a link to the raw replay, which is byte for byte);
// alice signs in too and is refused: she is not an auditor.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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

/** On the development IdP's pages: signs `user` in, and allows the client on first use. */
async function signInAtIdp(page: Page, user: string): Promise<void> {
  await page.waitForURL((url) => url.origin === stack.idp.issuer);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('tracegate');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The consent page appears on the first sign-in of this client.
  await page.waitForURL(
    (url) => url.pathname.startsWith('/audit/') || url.port === String(stack.idp.port),
  );
  const allow = page.getByRole('button', { name: 'Allow' });
  if (await allow.isVisible()) await allow.click();
}

describe('replaying a session in the browser', () => {
  it('signs an auditor in at the IdP, shows the list, the timeline and the response as the reader saw it, and refuses a signed-in non-auditor', async () => {
    const alice = await getUserToken({ issuer: stack.idp.issuer, user: 'alice' });
    const read = await fetch(`${gatewayUrl}/otlp/generate/json?bytes=${TRACE_BYTES}&seed=browser`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    const served = await read.text();
    expect(read.status).toBe(200);
    const sessionId = read.headers.get('x-request-id') ?? '';

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    // No session yet: the list sends dave to the sign-in, which brings him back.
    await page.goto(`${gatewayUrl}/audit/sessions?namespace=otlp`);
    await signInAtIdp(page, 'dave');
    await page.waitForURL(`${gatewayUrl}/audit/sessions`);
    expect(await page.locator('h1').textContent()).toBe('Recorded sessions');
    const cookies = await context.cookies(gatewayUrl);
    expect(cookies.map((cookie) => [cookie.name, cookie.path, cookie.httpOnly])).toContainEqual([
      'tracegate-session',
      '/',
      true,
    ]);

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

    // alice signs in from the replay's link and lands back on it, refused.
    const outsider = await browser.newContext();
    const refused = await outsider.newPage();
    const replayUrl = `${gatewayUrl}/audit/sessions/${sessionId}`;
    const landing = refused.waitForResponse(
      (response) => response.url() === replayUrl && response.status() !== 302,
    );
    await refused.goto(replayUrl);
    await signInAtIdp(refused, 'alice');
    expect((await landing).status()).toBe(403);
    await refused.waitForURL(replayUrl);
    expect(await refused.locator('h1').textContent()).toBe('Access denied');
    expect(await refused.locator('pre#body').count()).toBe(0);
    await outsider.close();
  });
});
