// `tracegate get` end to end: the real CLI process against the scripted
// gateway, asserting exit codes, stdout bytes, files and messages.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { problem, ScriptedGateway, slowChunks } from './support/scripted-gateway.ts';
import { runCli, startCli, until } from './support/run-cli.ts';

const TRACE = JSON.stringify({ id: 'trace-1', output: 'the weather is fine' });
let gateway: ScriptedGateway;
let env: Record<string, string>;
let dir: string;

beforeEach(async () => {
  gateway = await ScriptedGateway.start({ holdReads: false, notified: ['#trace-reviews'] });
  gateway.traces.set('/open/api/public/traces/trace-1', { body: TRACE });
  gateway.traces.set('/secure/api/public/traces/trace-1', { body: TRACE, review: {} });
  env = { TRACEGATE_URL: gateway.url, TRACEGATE_TOKEN: gateway.mintToken('alice') };
  dir = await mkdtemp(path.join(tmpdir(), 'tracegate-cli-'));
});

afterEach(async () => {
  await gateway.close();
  await rm(dir, { recursive: true, force: true });
});

const noStackTrace = (stderr: string): void => {
  expect(stderr).not.toMatch(/^\s+at /m);
};

describe('tracegate get', () => {
  it('writes an allowed trace to stdout byte for byte and exits 0', async () => {
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'INC-1'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(TRACE);
    expect(result.stderr).toMatch(
      new RegExp(`^tracegate: Received ${TRACE.length} B in \\d+s \\(.*/s\\) → stdout\n$`),
    );
    expect(gateway.requests[0]?.headers['tracegate-justification']).toBe('INC-1');
    expect(gateway.requests[0]?.headers['user-agent']).toMatch(
      /^tracegate-cli\/\S+ tracegate-sdk\//,
    );
  });

  it('sends a --reason in any language percent-encoded as UTF-8 (RFC 8187)', async () => {
    const why = 'Überprüfung: 顧客の報告';
    const result = await runCli(['get', 'open', 'trace-1', '--reason', why], env);
    expect(result.code).toBe(0);
    const sent = String(gateway.requests[0]?.headers['tracegate-justification']);
    expect(sent.startsWith("UTF-8''")).toBe(true);
    expect(decodeURIComponent(sent.slice("UTF-8''".length))).toBe(why);
  });

  it('streams a large trace through unchanged', async () => {
    gateway.traces.set('/open/api/public/traces/big', {
      body: slowChunks(64, 64 * 1024, 0),
      contentType: 'application/x-ndjson',
    });
    const result = await runCli(['get', 'open', 'big', '--reason', 'load test', '-q'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.byteLength).toBe(64 * 64 * 1024);
    const expected = createHash('sha256');
    for await (const chunk of slowChunks(64, 64 * 1024, 0)()) expected.update(chunk);
    expect(createHash('sha256').update(result.stdout).digest('hex')).toBe(expected.digest('hex'));
    expect(result.stderr).toBe('');
  });

  it('writes -o FILE in one piece, readable only by the owner', async () => {
    const file = path.join(dir, 'trace.json');
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'INC-1', '-o', file], env);
    expect(result.code).toBe(0);
    expect(result.stdout.byteLength).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(TRACE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['trace.json']);
  });

  it('leaves no file at all when the stream breaks mid-download, and exits 7', async () => {
    const file = path.join(dir, 'trace.json');
    gateway.traces.set('/open/api/public/traces/broken', {
      contentLength: 1_000_000,
      body: async function* () {
        yield new Uint8Array(100_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('origin fell over');
      },
    });
    const result = await runCli(['get', 'open', 'broken', '--reason', 'INC-1', '-o', file], env);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/the connection broke after \d+ bytes; the trace is incomplete/);
    expect(await readdir(dir)).toEqual([]);
    noStackTrace(result.stderr);
  });

  it('waits through a review approved while it waits, logging plain lines when stderr is not a terminal', async () => {
    const running = startCli(['get', 'secure', 'trace-1', '--reason', 'INC-2', '--wait', '5'], env);
    const pending = await gateway.nextAccessRequest();
    await until(() => pending.waiters.size > 0, 15_000, 'a held status poll');
    gateway.approve(pending.id, 'bob@example.com');
    const result = await running.done;
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(TRACE);
    expect(result.stderr).toContain(
      `tracegate: review pending: access request ${pending.id}, approvals 0/1, expires in 1`,
    );
    expect(result.stderr).toContain(`review at ${gateway.url}/review/${pending.id}`);
    expect(result.stderr).toContain('tracegate: Approved by bob@example.com; reading the trace');
    expect(result.stderr).toContain('notified: #trace-reviews');
    expect(result.stderr).not.toContain('\x1b[');
  });

  it('exits 3 with the reviewer reason when denied', async () => {
    const running = startCli(['get', 'secure', 'trace-1', '--reason', 'INC-3'], env);
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.deny(pending.id, 'use the redacted export');
    const result = await running.done;
    expect(result.code).toBe(3);
    expect(result.stdout.byteLength).toBe(0);
    expect(result.stderr).toMatch(
      /tracegate: Review denied: A reviewer denied this request: use the redacted export \(review_denied, req_\w+\)/,
    );
    noStackTrace(result.stderr);
  });

  it('exits 4 when the review expires', async () => {
    const running = startCli(['get', 'secure', 'trace-1', '--reason', 'INC-4'], env);
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.expire(pending.id);
    const result = await running.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Review expired: The access request expired. (review_expired');
  });

  it('exits 5 at --timeout with a resume command, and --resume picks the same request up', async () => {
    const file = path.join(dir, 'out.json');
    const first = await runCli(
      ['get', 'secure', 'trace-1', '--reason', 'INC 5', '--timeout', '2s', '-o', file],
      env,
    );
    expect(first.code).toBe(5);
    const [pending] = gateway.accessRequests.values();
    const id = pending?.id ?? 'missing';
    expect(first.stderr).toContain(
      `tracegate get secure trace-1 --reason 'INC 5' -o ${file} --resume ${id}`,
    );
    expect(await readdir(dir)).toEqual([]);

    const second = startCli(
      ['get', 'secure', 'trace-1', '--reason', 'INC 5', '-o', file, '--resume', id],
      env,
    );
    await until(() => second.stderr().includes(id) && (pending?.waiters.size ?? 0) > 0);
    gateway.approve(id);
    const result = await second.done;
    expect(result.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(TRACE);
    expect(gateway.accessRequests.size).toBe(1);
  });

  it('exits 130 on Ctrl-C while pending, leaving the request pending with a resume command', async () => {
    const running = startCli(['get', 'secure', 'trace-1', '--reason', 'INC-6'], env);
    const pending = await gateway.nextAccessRequest();
    await until(() => pending.waiters.size > 0, 15_000, 'a held status poll');
    running.child.kill('SIGINT');
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`interrupted; access request ${pending.id} stays pending`);
    expect(result.stderr).toContain(`--resume ${pending.id}`);
    expect(pending.status).toBe('pending');
  });

  it('exits 2 with a clear message when the gateway rejects the token', async () => {
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], {
      ...env,
      TRACEGATE_TOKEN: 'tg_not_a_token_the_gateway_knows',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^tracegate: Invalid token: The access token is not valid\. \(invalid_token, req_\w+\)$/m,
    );
    expect(result.stderr).toContain('the gateway did not accept the token from TRACEGATE_TOKEN');
    expect(result.stderr).not.toContain('tg_not_a_token_the_gateway_knows');
  });

  it('exits 2 without a token, and says where one comes from', async () => {
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], {
      TRACEGATE_URL: gateway.url,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no token: set TRACEGATE_TOKEN, or TRACEGATE_TOKEN_COMMAND');
    expect(gateway.requests).toHaveLength(0);
  });

  it('exits 3 on a policy block with the block message', async () => {
    gateway.intercept = (_request, response) => {
      problem(
        response,
        'req_b',
        'blocked',
        403,
        'Blocked',
        'Listing traces in bulk is disabled; read one trace by id.',
      );
      return true;
    };
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'tracegate: Blocked: Listing traces in bulk is disabled; read one trace by id. (blocked, req_b)',
    );
  });

  it('exits 6 on a gateway or trace store error', async () => {
    gateway.intercept = (_request, response) => {
      problem(
        response,
        'req_u',
        'upstream_unavailable',
        502,
        'Bad gateway',
        'The trace store could not be reached.',
      );
      return true;
    };
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], env);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      'Bad gateway: The trace store could not be reached. (upstream_unavailable, req_u)',
    );
    noStackTrace(result.stderr);
  });

  it('exits 7 when the gateway cannot be reached', async () => {
    const url = gateway.url;
    await gateway.close();
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], {
      ...env,
      TRACEGATE_URL: url,
    });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain(`is the gateway running at ${url}?`);
    gateway = await ScriptedGateway.start();
  });

  it('exits 1 on a usage error, before sending anything', async () => {
    for (const args of [
      ['get', 'open'],
      ['get', 'open', 'trace-1'],
      ['get', 'open', 'trace-1', '--reason', 'x', '--wait', 'soon'],
      ['get', 'open', 'trace-1', '--reason', 'x', '--bogus'],
      ['get', 'open', 'trace-1', '--reason', 'approve \u202Eeludom'],
      ['frobnicate'],
    ]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/run 'tracegate (get )?--help' for usage/);
    }
    expect(gateway.requests).toHaveLength(0);
  });
});

describe('tokens', () => {
  it('refuses --token in any form and explains why, sending nothing', async () => {
    const token = gateway.mintToken('alice');
    for (const args of [
      ['get', 'open', 'trace-1', '--reason', 'x', '--token', token],
      ['--token=abc', 'requests'],
      ['requests', '--access-token', token],
    ]) {
      const result = await runCli(args, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'is not accepted: a token on the command line lands in your shell history',
      );
      expect(result.stderr).toContain('TRACEGATE_TOKEN_COMMAND');
      expect(result.stderr).not.toContain(token);
    }
    expect(gateway.requests).toHaveLength(0);
  });

  it('runs TRACEGATE_TOKEN_COMMAND through the shell for every request', async () => {
    const token = gateway.mintToken('alice');
    const log = path.join(dir, 'calls');
    const command = `echo called >> ${log}; printf '  %s\\n' ${token}`;
    const running = startCli(['get', 'secure', 'trace-1', '--reason', 'x', '--wait', '5'], {
      TRACEGATE_URL: gateway.url,
      TRACEGATE_TOKEN_COMMAND: command,
    });
    const pending = await gateway.nextAccessRequest();
    await until(() => gateway.requestsTo('/v1/requests/').length > 0);
    gateway.approve(pending.id);
    const result = await running.done;
    expect(result.code).toBe(0);
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls).toHaveLength(gateway.requests.length);
    expect(gateway.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it('exits 2 when the token command fails, without echoing its output', async () => {
    const result = await runCli(['get', 'open', 'trace-1', '--reason', 'x'], {
      TRACEGATE_URL: gateway.url,
      TRACEGATE_TOKEN_COMMAND: 'echo half-a-secret-token; exit 3',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TRACEGATE_TOKEN_COMMAND exited with 3');
    expect(result.stderr).not.toContain('half-a-secret-token');
  });

  it('exits 2 when both token variables are set', async () => {
    const result = await runCli(['requests'], { ...env, TRACEGATE_TOKEN_COMMAND: 'echo x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('both TRACEGATE_TOKEN and TRACEGATE_TOKEN_COMMAND are set');
  });
});
