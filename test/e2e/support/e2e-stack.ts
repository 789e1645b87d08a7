// The real local stack for end-to-end tests: origin shim, development IdP and
// webhook sink on ephemeral ports, the gateway under `wrangler dev` with its
// own state directory, plus helpers to get tokens and read the audit log.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getUserToken } from '../../../local-dev/idp/get-token.ts';
import { repoRoot } from '../../../local-dev/paths.ts';
import { startLocalStack, type LocalStack } from '../../../local-dev/stack.ts';

const run = promisify(execFile);

export interface E2EStack {
  stack: LocalStack;
  gatewayUrl: string;
  /** Origin shim log lines (method, path, status, bytes): proof of what reached the store. */
  originLog: string[];
  tokenFor(user: string): Promise<string>;
  /** Audit rows, read straight from the gateway's local D1 database. */
  sql<T = Record<string, unknown>>(query: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function startE2EStack(): Promise<E2EStack> {
  const persistDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-e2e-'));
  const originLog: string[] = [];
  const stack = await startLocalStack({
    persistDir,
    idpKeyFile: null,
    log: (source, line) => {
      if (source === 'origin') originLog.push(line);
    },
  });
  const gateway = stack.gateway;
  if (gateway === undefined) throw new Error('the gateway did not start');
  const tokens = new Map<string, string>();
  return {
    stack,
    gatewayUrl: gateway.url,
    originLog,
    async tokenFor(user) {
      const cached = tokens.get(user);
      if (cached !== undefined) return cached;
      const token = await getUserToken({ issuer: stack.idp.issuer, user });
      tokens.set(user, token);
      return token;
    },
    async sql<T>(query: string) {
      const wrangler = path.join(repoRoot, 'node_modules', '.bin', 'wrangler');
      const { stdout } = await run(
        wrangler,
        [
          'd1',
          'execute',
          'AUDIT_DB',
          '--local',
          '--persist-to',
          persistDir,
          '--json',
          '--command',
          query,
        ],
        { cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
      );
      const parsed = JSON.parse(stdout) as { results: T[] }[];
      return parsed[0]?.results ?? [];
    },
    async close() {
      await stack.close();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
