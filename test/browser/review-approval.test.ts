// A reviewer approves a held read in a real browser (Debian's Chromium via
// playwright-core), against the real local stack: wrangler dev (workerd, local
// D1/R2/Durable Objects), the oidc-provider development IdP, the origin shim
// and the webhook sink, each started here on free ports.
//
// The story: alice reads a trace in the review-required namespace with
// `Prefer: wait=60` and a justification, and is held. A link scanner fetches
// the review link without cookies and changes nothing. Bob opens the webhook
// sink, clicks "Review", signs in at the IdP, sees the request (screenshot in
// test-output/), approves, and alice's held response delivers the trace.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUserToken } from '../../local-dev/idp/get-token.ts';
import { langfuseCredential } from '../../local-dev/origin-shim/credentials.ts';
import { originTraceIds } from '../../local-dev/origin-shim/server.ts';
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
const SCREENSHOT = path.join(repoRoot, 'test-output', 'review-page.png');
const TRACE_ID = originTraceIds.langgraphWeather;
const TRACE_PATH = `/api/public/traces/${TRACE_ID}`;
const JUSTIFICATION = 'INC-2041: the support agent looped on a refund; need the reasoning trace';

let stack: LocalStack;
let gatewayUrl: string;
let browser: BrowserContext;
const scratch: string[] = [];
const logTail: string[] = [];

beforeAll(async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-browser-state-'));
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-browser-profile-'));
  scratch.push(stateDir, profileDir);
  stack = await startLocalStack({
    persistDir: stateDir,
    idpKeyFile: null,
    log: (source, line) => {
      logTail.push(`[${source}] ${line}`);
      if (logTail.length > 80) logTail.shift();
    },
  });
  gatewayUrl = stack.gateway?.url ?? '';
  // A fresh profile, no downloads: the browser is the distribution's, never fetched by a tool.
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The first review link the sink received after `since`, polled. */
async function reviewLinkDelivered(since: number): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const delivery of stack.sink.deliveries()) {
      if (delivery.id <= since) continue;
      const link = /https?:\/\/[^\s"'<>\\]+\/review\/[0-9a-f]{64}/.exec(delivery.body)?.[0];
      if (link !== undefined) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no review link reached the webhook sink:\n${logTail.join('\n')}`);
}

function lastDeliveryId(): number {
  return stack.sink.deliveries()[0]?.id ?? 0;
}

async function signInAtIdp(page: Page, user: string): Promise<void> {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('tracegate');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The consent page appears on the first sign-in of this client.
  const allow = page.getByRole('button', { name: 'Allow' });
  await page.waitForURL(
    (url) => url.pathname.startsWith('/review/') || url.port === String(stack.idp.port),
  );
  if (await allow.isVisible()) await allow.click();
}

describe('approving a held read in a browser', () => {
  it('wakes the waiting client with the trace once a signed-in reviewer approves from the webhook link', async () => {
    const aliceToken = await getUserToken({ issuer: stack.idp.issuer, user: 'alice' });
    const since = lastDeliveryId();

    // 1. alice's read is held for review.
    const heldAt = Date.now();
    let settledAt: number | undefined;
    const held = fetch(`${gatewayUrl}/restricted${TRACE_PATH}`, {
      headers: {
        authorization: `Bearer ${aliceToken}`,
        prefer: 'wait=60',
        'tracegate-justification': JUSTIFICATION,
      },
    })
      .then(async (response) => ({ status: response.status, body: await response.text() }))
      // Kept as a value so a failure is reported by the assertions below, not as unhandled.
      .catch((error: unknown) => ({ status: 0, body: String(error) }))
      .finally(() => {
        settledAt = Date.now();
      });

    const reviewUrl = await reviewLinkDelivered(since);
    expect(new URL(reviewUrl).origin).toBe(gatewayUrl);

    // 2. A link scanner (no cookies) fetches the link: it gets an invitation and changes nothing.
    const scanned = await fetch(reviewUrl, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks-Scanner/1.0)' },
    });
    const scannedBody = await scanned.text();
    expect(scanned.status).toBe(200);
    expect(scanned.headers.get('set-cookie')).toBeNull();
    expect(scannedBody).toContain('Sign in to review');
    expect(scannedBody).not.toContain(JUSTIFICATION);
    expect(settledAt).toBeUndefined();

    // 3. Bob opens the sink page and clicks the "Review" link (it opens a new tab).
    const sinkPage = await browser.newPage();
    await sinkPage.goto(`${stack.sink.url}/`);
    const reviewLink = sinkPage.locator(`a[href="${reviewUrl}"]`).first();
    await expect.poll(() => reviewLink.count()).toBeGreaterThan(0);
    const [page] = await Promise.all([browser.waitForEvent('page'), reviewLink.click()]);
    await page.waitForLoadState();
    expect(page.url()).toBe(reviewUrl);
    await page.getByRole('link', { name: 'Sign in to review' }).click();

    // 4. Sign in at the development IdP as bob, and land back on the review page.
    await page.waitForURL((url) => url.origin === stack.idp.issuer);
    await signInAtIdp(page, 'bob');
    await page.waitForURL(reviewUrl);

    // The scanner's visit left the request pending, with no decision.
    const status = page.locator('section[aria-labelledby="state"] .badge');
    await expect.poll(() => status.textContent()).toBe('pending');
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('alice@example.test');
    expect(text).toContain(JUSTIFICATION);
    expect(text).toContain('0 of 1 needed');
    expect(text).toContain(`GET ${TRACE_PATH}`);
    expect(settledAt).toBeUndefined();

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // 5. Approve for 15 minutes.
    await page.getByLabel('Grant access for').selectOption('900');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(reviewUrl);
    await expect.poll(() => status.textContent()).toBe('approved');
    expect(await page.locator('main').innerText()).toContain('You approved this request.');

    // 6. alice's held request now answers with the trace, on the same response.
    const result = await held;
    expect(result.status).toBe(200);
    const direct = await fetch(`${stack.origin.url}${TRACE_PATH}`, {
      headers: { authorization: `Basic ${Buffer.from(langfuseCredential).toString('base64')}` },
    });
    expect(JSON.parse(result.body)).toEqual(await direct.json());
    expect(settledAt).toBeGreaterThan(heldAt);
  });
});
