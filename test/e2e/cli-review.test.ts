// The CLI end to end against the real local stack (wrangler dev with local D1
// and Durable Objects, the origin shim, the development IdP's real tokens):
// a read in /restricted needs a reviewer (tracegate.yaml:
// review-restricted-reads). The requester's token comes from
// TRACEGATE_TOKEN_COMMAND running the IdP's own get-token CLI, as a user's
// would from their IdP's CLI.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTracesDir } from '../../local-dev/paths.ts';
import { runCli, startCli, until, type RunningCli } from '../unit/support/run-cli.ts';
import { startE2EStack, type E2EStack } from './support/e2e-stack.ts';

let e2e: E2EStack;
let dir: string;
let alice: Record<string, string>;
let bob: Record<string, string>;
const langgraphTrace = readFileSync(
  path.join(defaultTracesDir, 'langfuse-langgraph-js.trace.json'),
);
const REASON = 'INC-5150: the agent looped on a tool call';

beforeAll(async () => {
  e2e = await startE2EStack();
  dir = await mkdtemp(path.join(tmpdir(), 'tracegate-cli-e2e-'));
  const getToken = `'${process.execPath}' local-dev/idp/get-token.ts --issuer '${e2e.stack.idp.issuer}'`;
  alice = { TRACEGATE_URL: e2e.gatewayUrl, TRACEGATE_TOKEN_COMMAND: `${getToken} --user alice` };
  bob = { TRACEGATE_URL: e2e.gatewayUrl, TRACEGATE_TOKEN: await e2e.tokenFor('bob') };
});

afterAll(async () => {
  await e2e?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The access request id the waiting CLI printed on stderr. */
async function accessRequestOf(cli: RunningCli): Promise<string> {
  let id: string | undefined;
  await until(
    () => {
      id = /review pending: access request (\S+),/.exec(cli.stderr())?.[1];
      return id !== undefined;
    },
    30_000,
    'the pending review line',
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; stderr:\n${cli.stderr()}`);
  });
  return id ?? '';
}

describe('tracegate get on the real stack', () => {
  it('waits for a review that a reviewer approves with `tracegate approve`, then writes the trace', async () => {
    const file = path.join(dir, 'langgraph.json');
    const get = startCli(
      ['get', 'restricted', 'langgraph-weather', '--reason', REASON, '-o', file],
      alice,
    );
    const id = await accessRequestOf(get);
    expect(get.stderr()).toContain(`review at ${e2e.gatewayUrl}/review/${id}`);
    expect(get.stderr()).toMatch(/approvals 0\/1, expires in 1[45]m/);

    const listed = await runCli(['requests'], bob);
    expect(listed.code).toBe(0);
    expect(listed.stdout.toString()).toMatch(
      new RegExp(`^${id}\\s+pending\\s+alice@example.test`, 'm'),
    );

    const approved = await runCli(
      ['approve', id, '--for', '10m', '--reason', 'ok for INC-5150'],
      bob,
    );
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout.toString()).toMatch(
      new RegExp(`^Approved ${id}: status approved, approvals 1/1, grant until \\S+Z \\((9|10)m`),
    );

    const result = await get.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Approved by bob@');
    expect((await readFile(file)).equals(langgraphTrace)).toBe(true);
  });

  it('exits 3 with the reviewer’s reason after `tracegate deny`', async () => {
    const get = startCli(['get', 'restricted', 'openai-agents-hello', '--reason', REASON], alice);
    const id = await accessRequestOf(get);
    const denied = await runCli(['deny', id, '--reason', 'read the redacted copy instead'], bob);
    expect(denied.code).toBe(0);
    const result = await get.done;
    expect(result.code).toBe(3);
    expect(result.stdout.byteLength).toBe(0);
    expect(result.stderr).toMatch(
      /^tracegate: Review denied: A reviewer denied this request: read the redacted copy instead \(review_denied, [\w-]+\)$/m,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 5 at --timeout with a resume command, and --resume gets the trace once approved', async () => {
    const traceId = e2e.stack.origin.ids.langgraphWeather;
    const file = path.join(dir, 'resumed.json');
    const first = await runCli(
      ['get', 'restricted', traceId, '--reason', REASON, '--timeout', '3s', '-o', file],
      alice,
    );
    expect(first.code, first.stderr).toBe(5);
    const id = /--resume (\S+)/.exec(first.stderr)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(first.stderr).toContain(
      `tracegate get restricted ${traceId} --reason '${REASON}' -o ${file} --resume ${id}`,
    );
    expect(await readdir(dir)).not.toContain('resumed.json');

    const resumed = startCli(
      ['get', 'restricted', traceId, '--reason', REASON, '-o', file, '--resume', id],
      alice,
    );
    await until(
      () => resumed.stderr().includes(`access request ${id}`),
      30_000,
      'the resumed status',
    );
    expect((await runCli(['approve', id], bob)).code).toBe(0);
    const result = await resumed.done;
    expect(result.code, result.stderr).toBe(0);
    // The trace id and its alias serve the same sample.
    expect((await readFile(file)).equals(langgraphTrace)).toBe(true);
  });

  it('exits 2 with a clear message when the token does not verify', async () => {
    const real = await e2e.tokenFor('alice');
    const [header, payload, signature = ''] = real.split('.');
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const result = await runCli(['get', 'restricted', 'langgraph-weather', '--reason', REASON], {
      TRACEGATE_URL: e2e.gatewayUrl,
      TRACEGATE_TOKEN: forged,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^tracegate: Invalid token: The access token is not valid\. \(invalid_token, [\w-]+\)$/m,
    );
    expect(result.stderr).toContain('the gateway did not accept the token from TRACEGATE_TOKEN');
    expect(result.stderr).not.toContain(forged);
  });
});
