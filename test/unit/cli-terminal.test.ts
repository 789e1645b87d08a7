// The CLI in a real terminal: tmux gives it a pty (120×30), and the test
// reads the screen with `tmux capture-pane` to check the live status line
// while a review is pending and the progress display while the trace
// downloads. tmux is installed quietly if missing; if that is impossible the
// suite is skipped with a message saying so.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedGateway, slowChunks } from './support/scripted-gateway.ts';
import { CLI, REPO, until } from './support/run-cli.ts';

const run = promisify(execFile);

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** tmux, installed with apt-get if missing; the reason when it cannot be had. */
function ensureTmux(): { ok: true } | { ok: false; reason: string } {
  if (hasTmux()) return { ok: true };
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'tmux'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 180_000,
    });
  } catch (error) {
    return {
      ok: false,
      reason: `tmux is missing and apt-get install tmux failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    };
  }
  return hasTmux()
    ? { ok: true }
    : { ok: false, reason: 'tmux is missing and could not be installed' };
}

const tmux = ensureTmux();
if (!tmux.ok) console.warn(`cli-terminal.test.ts skipped: ${tmux.reason}`);

const CHUNK = 256 * 1024;
const CHUNKS = 40; // 10 MiB, 80 ms apart: ~3 s of visible progress

describe.skipIf(!tmux.ok)('tracegate get in a terminal', () => {
  const session = `tracegate-test-${randomBytes(4).toString('hex')}`;
  let gateway: ScriptedGateway;
  let dir: string;

  beforeAll(async () => {
    gateway = await ScriptedGateway.start({
      holdReads: false,
      notified: ['#trace-reviews', 'bob@example.com'],
    });
    gateway.traces.set('/secure/api/public/traces/big', {
      body: slowChunks(CHUNKS, CHUNK, 80),
      contentLength: CHUNKS * CHUNK,
      contentType: 'application/x-ndjson',
      review: {},
    });
    dir = await mkdtemp(path.join(tmpdir(), 'tracegate-tty-'));
    // The token goes through a 0600 script, not the tmux command line.
    const script = path.join(dir, 'run.sh');
    await writeFile(
      script,
      [
        '#!/bin/sh',
        `export TRACEGATE_URL='${gateway.url}'`,
        `export TRACEGATE_TOKEN='${gateway.mintToken('alice')}'`,
        `cd '${REPO}'`,
        `'${process.execPath}' '${CLI}' get secure big --reason 'INC-7 tool loop' --wait 5 -o '${path.join(dir, 'big.ndjson')}'`,
        'echo "EXIT=$?"',
        'sleep 60',
        '',
      ].join('\n'),
    );
    await chmod(script, 0o700);
    await run('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', script]);
  });

  afterAll(async () => {
    await run('tmux', ['kill-session', '-t', session]).catch(() => undefined);
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });

  const screen = async (): Promise<string> =>
    (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;

  it('shows a live status line while the review is pending, then progress while downloading', async () => {
    let latest = '';
    let stop = false;
    const capturing = (async () => {
      while (!stop) {
        latest = await screen().catch(() => latest);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const current = (): string => latest;
    try {
      const pending = await gateway.nextAccessRequest({ includeExisting: true });
      await until(
        () => current().includes('review pending ·') && current().includes('notified:'),
        20_000,
        'the pending status line',
      );
      const first = current();
      expect(first).toContain(`Review required: access request ${pending.id}`);
      expect(first).toContain(`  review at: ${gateway.url}/review/${pending.id}`);
      expect(first).toContain('  notified: #trace-reviews, bob@example.com');
      const statusLine = first.split('\n').find((line) => line.includes('review pending ·')) ?? '';
      expect(statusLine).toMatch(
        new RegExp(
          `^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] review pending · ${pending.id} · approvals 0/1 · expires in 1[45]m( \\d+s)? · waited \\d+s · notified: #trace-reviews, bob@`,
        ),
      );
      // Cut to the pane's width (120) so the in-place redraw never wraps.
      expect([...statusLine.trimEnd()].length).toBeLessThanOrEqual(119);
      // The line is redrawn in place: the spinner turns and it stays one line.
      await until(
        () =>
          (current()
            .split('\n')
            .find((l) => l.includes('review pending ·')) ?? '')[0] !== statusLine[0],
        5_000,
        'the spinner turning',
      );
      expect(
        current()
          .split('\n')
          .filter((line) => line.includes('review pending ·')),
      ).toHaveLength(1);

      gateway.approve(pending.id, 'bob@example.com');
      const progressPattern =
        /^↓ \d+(\.\d)? (KiB|MiB) · \d{1,2}% of 10 MiB · \d+(\.\d)? (KiB|MiB)\/s · elapsed \d+s$/m;
      await until(() => progressPattern.test(current()), 20_000, 'the progress line');
      const downloading = current();
      expect(downloading).toContain('Approved by bob@example.com; reading the trace');
      expect(downloading).not.toContain('review pending ·');
      const progress = downloading.split('\n').find((line) => line.startsWith('↓')) ?? '';
      expect(progress).toMatch(progressPattern);

      await until(() => current().includes('EXIT='), 20_000, 'the CLI to finish');
      const done = current();
      expect(done).toContain('EXIT=0');
      expect(done).toMatch(/Received 10 MiB in \d+s \(\d+(\.\d)? (KiB|MiB)\/s\) → .*big\.ndjson/);
      expect(done).not.toMatch(/^↓/m);
      expect((await stat(path.join(dir, 'big.ndjson'))).size).toBe(CHUNKS * CHUNK);
    } finally {
      stop = true;
      await capturing;
    }
  });
});
