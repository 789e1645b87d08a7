// `npm run audit:verify`: checks the audit log of a D1 database for
// tampering and names the first bad row (worker/audit/TAMPER-EVIDENCE.md).
//
//   npm run audit:verify                                   # local dev (.tracegate-local/wrangler)
//   npm run audit:verify -- --persist-to DIR               # another local state directory
//   AUDIT_MAC_KEY=... npm run audit:verify -- --remote     # the deployed database
//   npm run audit:verify -- --json                         # machine-readable report
//
// It reads the rows and checkpoints with `wrangler d1 execute ... --json`, in
// pages, and verifies them here with the same code the Worker uses
// (verify-audit-log.ts): the check does not trust the running gateway. The
// key is AUDIT_MAC_KEY from the environment, else from .dev.vars; for a local
// database without either, the public development key the gateway uses under
// TRACEGATE_LOCAL_DEV=1.
//
// Exit status: 0 the log verifies, 1 tampering found, 2 the check could not run.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { getTableColumns } from 'drizzle-orm';
import { auditCheckpoints } from '../worker/audit/chain-tables.ts';
import type { SealedCheckpoint } from '../worker/audit/checkpoint-seal.ts';
import { DEV_AUDIT_MAC_KEY, MIN_MAC_KEY_LENGTH } from '../worker/audit/mac-key.ts';
import { importMacKey } from '../worker/audit/row-mac.ts';
import { auditEvents } from '../worker/audit/schema.ts';
import { verifyAuditLog, type SealedRow } from '../worker/audit/verify-audit-log.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
const ROW_PAGE = 2000;
const CHECKPOINT_PAGE = 20;

interface Options {
  remote: boolean;
  persistTo: string;
  database: string;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    remote: false,
    persistTo: path.join(repoRoot, '.tracegate-local', 'wrangler'),
    database: 'AUDIT_DB',
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new TypeError(`${arg ?? ''} needs a value`);
      return next;
    };
    if (arg === '--remote') options.remote = true;
    else if (arg === '--local') options.remote = false;
    else if (arg === '--persist-to') options.persistTo = path.resolve(value());
    else if (arg === '--database') options.database = value();
    else if (arg === '--json') options.json = true;
    else
      throw new TypeError(
        `unknown option ${arg ?? ''} (see the header of scripts/audit-verify.ts)`,
      );
  }
  return options;
}

function macSecret(options: Options): { secret: string; source: string } {
  const fromEnv = process.env.AUDIT_MAC_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { secret: fromEnv, source: 'AUDIT_MAC_KEY' };
  const devVars = path.join(repoRoot, '.dev.vars');
  if (existsSync(devVars)) {
    const line = readFileSync(devVars, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('AUDIT_MAC_KEY='));
    const value = line
      ?.slice('AUDIT_MAC_KEY='.length)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (value !== undefined && value !== '') return { secret: value, source: '.dev.vars' };
  }
  if (options.remote) throw new TypeError('set AUDIT_MAC_KEY to verify the deployed database');
  return { secret: DEV_AUDIT_MAC_KEY, source: 'the development key (TRACEGATE_LOCAL_DEV)' };
}

async function query<T>(options: Options, sql: string): Promise<T[]> {
  const wrangler = path.join(repoRoot, 'node_modules', '.bin', 'wrangler');
  const location = options.remote ? ['--remote'] : ['--local', '--persist-to', options.persistTo];
  const { stdout } = await run(
    wrangler,
    ['d1', 'execute', options.database, ...location, '--json', '--command', sql],
    {
      cwd: repoRoot,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const parsed = JSON.parse(stdout) as { results?: T[] }[];
  return parsed[0]?.results ?? [];
}

/** `SELECT column AS property, ...` for a drizzle table, so rows come back in its TS shape. */
function selectList(columns: Record<string, { name: string }>): string {
  return Object.entries(columns)
    .map(([property, column]) => `"${column.name}" AS "${property}"`)
    .join(', ');
}

async function* pages<T extends { seq: number }>(
  options: Options,
  table: string,
  columns: string,
  size: number,
  onPage: (rows: number) => void = () => undefined,
): AsyncGenerator<T> {
  let after = 0;
  let read = 0;
  for (;;) {
    const rows = await query<T>(
      options,
      `SELECT ${columns} FROM ${table} WHERE seq > ${after} ORDER BY seq LIMIT ${size}`,
    );
    read += rows.length;
    onPage(read);
    yield* rows;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < size) return;
    after = last.seq;
  }
}

/**
 * Progress on stderr (stdout stays the report, --json included): a live line
 * on a terminal, else a line every PROGRESS_EVERY rows, so a long check of a
 * large remote log is never silent.
 */
const PROGRESS_EVERY = 20_000;
function progressReporter(): { rows(read: number): void; done(): void } {
  const live = process.stderr.isTTY;
  let lastLogged = 0;
  let shown = false;
  return {
    rows(read) {
      if (live) {
        process.stderr.write(`\raudit:verify: ${read} rows read…`);
        shown = true;
      } else if (read - lastLogged >= PROGRESS_EVERY) {
        process.stderr.write(`audit:verify: ${read} rows read…\n`);
        lastLogged = read;
      }
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const { secret, source } = macSecret(options);
  if (secret.length < MIN_MAC_KEY_LENGTH) {
    throw new TypeError(`the key from ${source} is shorter than ${MIN_MAC_KEY_LENGTH} characters`);
  }
  const key = await importMacKey(secret);
  const progress = progressReporter();
  const rows = pages<SealedRow>(
    options,
    'audit_events',
    selectList(getTableColumns(auditEvents)),
    ROW_PAGE,
    (read) => progress.rows(read),
  );
  const checkpoints = pages<SealedCheckpoint & { seq: number }>(
    options,
    'audit_checkpoints',
    selectList(getTableColumns(auditCheckpoints)),
    CHECKPOINT_PAGE,
  );
  const report = await verifyAuditLog(key, rows, checkpoints).finally(() => progress.done());
  const where = options.remote
    ? `remote ${options.database}`
    : `local ${options.database} in ${options.persistTo}`;
  if (options.json) {
    console.log(JSON.stringify({ database: where, key: source, ...report }));
  } else if (report.ok) {
    console.log(
      `audit log OK (${where}, key from ${source}): ${report.rows} rows, ${report.checkpoints} checkpoints, ` +
        `sealed up to seq ${report.sealedUpToSeq}, ${report.unsealedRows} rows after the last checkpoint`,
    );
    for (const exception of report.exceptions) {
      console.log(
        `  acknowledged exception: seq ${exception.fromSeq}..${exception.upToSeq} ${exception.reason}, by ${exception.by}: ${exception.note}`,
      );
    }
  } else {
    console.log(
      `audit log TAMPERED (${where}, key from ${source}): first bad row seq ${report.seq}: ${report.reason}: ${report.detail}`,
    );
  }
  return report.ok ? 0 : 1;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(
      `audit:verify could not run: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 2;
  },
);
