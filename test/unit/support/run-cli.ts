// Runs the real CLI (`node cli/tracegate.ts`) as a child process, with a
// clean environment: only what the test passes, plus PATH and HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(import.meta.dirname, '..', '..', '..', 'cli', 'tracegate.ts');
export const REPO = path.join(import.meta.dirname, '..', '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  done: Promise<CliResult>;
}

export function startCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }),
    );
  });
  return { child, stderr: () => err, done };
}

/** Only PATH, HOME and `extra`: no TRACEGATE_* from the developer's shell leaks in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Built from process.env (then emptied) to keep its type, which wrangler's
  // generated worker/env.d.ts extends with required keys.
  const env = { ...process.env };
  for (const key of Object.keys(env)) Reflect.deleteProperty(env, key);
  return Object.assign(
    env,
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    extra,
  );
}

export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return startCli(args, env, options).done;
}

/** Polls `condition` every 20 ms. */
export async function until(
  condition: () => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
