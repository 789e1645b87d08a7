// Recording, replay and tamper evidence end to end: the gateway under
// `wrangler dev` (workerd, local D1 and R2) records what the origin shim
// serves through it; an auditor replays it byte for byte; an upstream reset
// leaves a truncated recording; `npm run audit:verify` (wrangler d1 execute
// + the shared verifier) passes on the untouched log and names the first bad
// row once a row is altered in D1.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUserToken } from '../../local-dev/idp/get-token.ts';
import { repoRoot } from '../../local-dev/paths.ts';
import { startLocalStack, type LocalStack } from '../../local-dev/stack.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;

let stack: LocalStack;
let persistDir: string;
let gatewayUrl: string;
let alice: string;
let dave: string;

beforeAll(async () => {
  persistDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-e2e-recording-'));
  stack = await startLocalStack({ persistDir, idpKeyFile: null });
  gatewayUrl = stack.gateway?.url ?? '';
  [alice, dave] = await Promise.all([
    getUserToken({ issuer: stack.idp.issuer, user: 'alice' }),
    getUserToken({ issuer: stack.idp.issuer, user: 'dave' }),
  ]);
});

afterAll(async () => {
  await stack?.close();
  if (persistDir !== undefined) rmSync(persistDir, { recursive: true, force: true });
});

const get = (pathname: string, token: string, init: RequestInit = {}) =>
  fetch(`${gatewayUrl}${pathname}`, { ...init, headers: { authorization: `Bearer ${token}` } });

/** The session's detail, polled until the completion row and final manifest are written. */
async function sessionWhenRecorded(
  id: string,
): Promise<{ recording: string; manifest: { body: { size: number; sha256: string } } }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await get(`/v1/sessions/${id}`, dave);
    if (response.status === 200) {
      const detail = (await response.json()) as {
        recording: string;
        manifest: { body: { size: number; sha256: string } };
      };
      if (detail.recording !== 'recording') return detail;
    } else {
      await response.body?.cancel();
    }
    if (Date.now() > deadline) throw new Error(`session ${id} was not recorded in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function auditVerify(): Promise<{ code: number; report: Record<string, unknown> }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['scripts/audit-verify.ts', '--persist-to', persistDir, '--json'],
      {
        cwd: repoRoot,
      },
    );
    return { code: 0, report: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code === 1 && failed.stdout !== undefined) {
      return { code: 1, report: JSON.parse(failed.stdout) as Record<string, unknown> };
    }
    throw new Error(`audit:verify failed to run: ${failed.stderr ?? String(error)}`, {
      cause: error,
    });
  }
}

describe('recording under wrangler dev', () => {
  it('records a 20 MiB NDJSON trace read slowly, and the replay is byte for byte', async () => {
    const response = await get(`/otlp/generate/ndjson?bytes=${20 * MiB}&seed=e2e`, alice);
    expect(response.status).toBe(200);
    const hash = createHash('sha256');
    let bytes = 0;
    let reads = 0;
    for await (const chunk of response.body ?? new ReadableStream<Uint8Array>()) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      if (++reads % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const served = hash.digest('hex');
    expect(bytes).toBe(20 * MiB);
    const id = response.headers.get('x-request-id') ?? '';
    const detail = await sessionWhenRecorded(id);
    expect(detail).toMatchObject({
      recording: 'complete',
      manifest: { body: { size: bytes, sha256: served } },
    });

    const replay = await get(`/v1/sessions/${id}/body`, dave);
    expect(replay.headers.get('content-type')).toBe('application/x-ndjson');
    const replayHash = createHash('sha256');
    for await (const chunk of replay.body ?? new ReadableStream<Uint8Array>())
      replayHash.update(chunk);
    expect(replayHash.digest('hex')).toBe(served);
  });

  it('an upstream reset leaves a truncated recording of what was served', async () => {
    const response = await get('/otlp/generate/json?bytes=1000000&fault=reset-after:200000', alice);
    await expect(response.arrayBuffer()).rejects.toThrow();
    const detail = await sessionWhenRecorded(response.headers.get('x-request-id') ?? '');
    expect(detail.recording).toBe('truncated');
    expect(detail.manifest.body.size).toBeLessThanOrEqual(200_000);
  });
});

describe('npm run audit:verify', () => {
  it('passes on the untouched log, then names the first altered row', async () => {
    const sealed = await get('/v1/audit/checkpoints', dave, { method: 'POST' });
    expect(sealed.status).toBe(200);
    const clean = await auditVerify();
    expect(clean).toMatchObject({ code: 0, report: { ok: true } });
    expect(Number(clean.report.rows)).toBeGreaterThan(4);

    const apiReport = (await (await get('/v1/audit/verify', dave)).json()) as Record<
      string,
      unknown
    >;
    expect(apiReport).toMatchObject({ ok: true });

    const wrangler = path.join(repoRoot, 'node_modules', '.bin', 'wrangler');
    await run(
      wrangler,
      [
        'd1',
        'execute',
        'AUDIT_DB',
        '--local',
        '--persist-to',
        persistDir,
        '--command',
        "UPDATE audit_events SET reason = 'edited by hand' WHERE seq = 2",
      ],
      { cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
    );
    expect(await auditVerify()).toMatchObject({
      code: 1,
      report: { ok: false, seq: 2, reason: 'altered' },
    });
  });
});
