// Runs the gateway under `wrangler dev` (workerd via Miniflare, with local D1,
// R2 and Durable Objects kept under .tracegate-local/wrangler), after making
// sure .dev.vars has every dev secret and applying the local D1 migrations.
// wrangler runs in its own process group so stopping it also stops the
// workerd it spawned, and nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { langfuseCredential, originBearerToken } from './origin-shim/credentials.ts';
import type { RunningService } from './http-server.ts';
import { localStateDir, repoRoot } from './paths.ts';

export interface GatewayOptions {
  /** An explicit free port: wrangler cannot report an OS-chosen one. */
  port: number;
  /** Extra `wrangler dev` arguments, e.g. `--var TRACEGATE_CONFIG:<yaml>`. */
  args?: string[];
  persistDir?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunningGateway extends RunningService {
  child: ChildProcess;
}

export const defaultPersistDir = path.join(localStateDir, 'wrangler');
const devVarsPath = path.join(repoRoot, '.dev.vars');

/**
 * The secrets `wrangler dev` needs, each with a fresh development value.
 * AUDIT_MAC_KEY is deliberately absent: locally the gateway signs audit rows
 * with the public development key (TRACEGATE_LOCAL_DEV=1, see
 * worker/audit/mac-key.ts), and adding a random key to an existing .dev.vars
 * would make the rows already in the local database fail verification.
 */
const devSecrets: readonly (readonly [name: string, value: () => string])[] = [
  ['LANGFUSE_CREDENTIAL', () => langfuseCredential],
  ['ORIGIN_TOKEN', () => originBearerToken],
  ['WEBHOOK_SECRET', () => `whsec_${randomBytes(32).toString('base64')}`],
  ['SESSION_SECRET', () => randomBytes(32).toString('base64url')],
  ['MASKING_HMAC_KEY', () => randomBytes(32).toString('base64url')],
];

/** The names ensureDevVars guarantees in .dev.vars. */
export const devSecretNames: readonly string[] = devSecrets.map(([name]) => name);

/** Names assigned in a dotenv file (`NAME=…` or `export NAME=…`; comments do not count). */
function assignedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name !== undefined) names.add(name);
  }
  return names;
}

/**
 * Makes .dev.vars (gitignored) hold every dev secret: writes the file when it
 * is missing, else appends the secrets it lacks (a file from before a secret
 * was introduced). Existing lines, values included, are never changed.
 */
export function ensureDevVars(file: string = devVarsPath): {
  path: string;
  created: boolean;
  added: string[];
} {
  const line = ([name, value]: readonly [string, () => string]): string => `${name}=${value()}`;
  if (!existsSync(file)) {
    const lines = [
      '# Local development secrets for `wrangler dev` (gitignored; written by local-dev/start.ts).',
      ...devSecrets.map(line),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    return { path: file, created: true, added: devSecrets.map(([name]) => name) };
  }
  const text = readFileSync(file, 'utf8');
  const present = assignedNames(text);
  const missing = devSecrets.filter(([name]) => !present.has(name));
  if (missing.length === 0) return { path: file, created: false, added: [] };
  const lines = [
    '# Added by local-dev: secrets introduced after this file was written.',
    ...missing.map(line),
  ];
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}${lines.join('\n')}\n`);
  return { path: file, created: false, added: missing.map(([name]) => name) };
}

/** `wrangler d1 migrations apply AUDIT_DB --local` against the persisted state. */
export async function applyLocalMigrations(
  persistDir = defaultPersistDir,
  log = (_: string): void => {},
): Promise<void> {
  const child = spawnWrangler(
    ['d1', 'migrations', 'apply', 'AUDIT_DB', '--local', '--persist-to', persistDir],
    false,
  );
  const output = collectOutput(child, (line) => log(line));
  const code = await exitCode(child);
  if (code !== 0) throw new Error(`D1 migrations failed (exit ${code}):\n${output.tail()}`);
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.log ?? ((): void => {});
  const url = `http://localhost:${options.port}`;
  const child = spawnWrangler(
    [
      'dev',
      '--local',
      '--port',
      String(options.port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      options.persistDir ?? defaultPersistDir,
      '--var',
      `PUBLIC_URL:${url}`,
      // Audit rows are signed with the public development key unless .dev.vars sets AUDIT_MAC_KEY.
      '--var',
      'TRACEGATE_LOCAL_DEV:1',
      '--show-interactive-dev-session=false',
      ...(options.args ?? []),
    ],
    true,
  );
  const output = collectOutput(child, log);
  const exited = exitCode(child);
  const stop = (): Promise<void> => stopProcessGroup(child, exited);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let ready = false;
  while (!ready && Date.now() < deadline) {
    const early = await Promise.race([exited, sleep(250).then(() => undefined)]);
    if (early !== undefined)
      throw new Error(`wrangler dev exited with ${early} before it was ready:\n${output.tail()}`);
    if (output.buildFailed()) {
      await sleep(500); // let the error details arrive
      await stop();
      throw new Error(`the gateway failed to build under wrangler dev:\n${output.tail()}`);
    }
    ready = await answers(`http://127.0.0.1:${options.port}/`);
  }
  if (!ready) {
    await stop();
    throw new Error(
      `wrangler dev did not answer on port ${options.port} in time:\n${output.tail()}`,
    );
  }
  return { url, port: options.port, child, close: stop };
}

function spawnWrangler(args: string[], ownGroup: boolean): ChildProcess {
  const bin = realpathSync(path.join(repoRoot, 'node_modules/.bin/wrangler'));
  return spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    detached: ownGroup,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No network beyond loopback: no telemetry, no Request.cf download.
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      FORCE_COLOR: '0',
    },
  });
}

// eslint-disable-next-line no-control-regex
const ansiColour = /\x1b\[[0-9;]*m/g;

interface CollectedOutput {
  tail(): string;
  /** True once wrangler reported a failed build (it then waits for edits forever). */
  buildFailed(): boolean;
}

/** Forwards output lines (ANSI colours stripped) to `log`, keeping the last 40 for errors. */
function collectOutput(child: ChildProcess, log: (line: string) => void): CollectedOutput {
  const last: string[] = [];
  let buildFailed = false;
  const onData = (data: Buffer): void => {
    for (const line of data.toString('utf8').replace(ansiColour, '').split('\n')) {
      if (line.trim() === '') continue;
      if (/\[ERROR\] Build failed/.test(line)) buildFailed = true;
      log(line);
      last.push(line);
      if (last.length > 40) last.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return { tail: () => last.join('\n'), buildFailed: () => buildFailed };
}

function exitCode(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to wrangler's process group, SIGKILL after 5 s if still running. */
async function stopProcessGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  // workerd may outlive wrangler briefly; the group signal reaches it too.
  signalGroup(pid, done ? 'SIGTERM' : 'SIGKILL');
  if (!done) await exited;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Synchronous last resort for process 'exit' handlers. */
export function killGatewayNow(gateway: RunningGateway | undefined): void {
  const pid = gateway?.child.pid;
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
}
