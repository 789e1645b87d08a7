// `wrangler deploy --dry-run` bundles the Worker exactly as a deploy would,
// with every binding checked against wrangler.toml, without an account. A
// configuration or bundle that cannot deploy fails here, in CI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local-dev/paths.ts';

const run = promisify(execFile);
const outdir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-dry-run-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('wrangler deploy --dry-run', () => {
  it('bundles the gateway with its D1, R2 and Durable Object bindings, under the size limit', async () => {
    const { stdout } = await run(
      path.join(repoRoot, 'node_modules', '.bin', 'wrangler'),
      ['deploy', '--dry-run', '--outdir', outdir],
      { cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
    );
    expect(stdout).toMatch(/env\.AUDIT_DB \(tracegate-audit\)\s+D1 Database/);
    expect(stdout).toMatch(/env\.RECORDINGS \(tracegate-recordings\)\s+R2 Bucket/);
    expect(stdout).toMatch(/env\.ACCESS_REQUESTS \(AccessRequest\)\s+Durable Object/);
    const bundle = readdirSync(outdir).find((file) => file.endsWith('.js'));
    expect(bundle).toBeDefined();
    // Workers Paid allows 10 MB compressed; keep well under the 3 MB of the free plan, uncompressed.
    expect(statSync(path.join(outdir, bundle ?? '')).size).toBeLessThan(3 * 1024 * 1024);
  });
});
