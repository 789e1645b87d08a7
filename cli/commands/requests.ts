// tracegate requests — list access requests (pending ones by default).
import type { AccessRequestStatus } from '../../sdk/index.ts';
import type { CliContext } from '../context.ts';
import { formatDuration } from '../duration.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { fitWidth, formatTable, printable } from '../format.ts';
import { flag, oneOf, parseCommand, requirePositionals, stringValue } from '../parse.ts';

export const REQUESTS_HELP = `Usage: tracegate requests [--status pending] [--format table|json]

Lists access requests you may see: for reviewers, the ones waiting for them.

Options:
  --status S     pending (default), approved, denied, expired, cancelled, or all
  --format F     table (default) or json
  -h, --help     this help`;

const STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'all'] as const;

export async function requestsCommand(
  argv: readonly string[],
  context: CliContext,
): Promise<ExitCode> {
  const parsed = parseCommand('requests', argv, {
    status: { type: 'string' },
    format: { type: 'string' },
  });
  if (flag(parsed, 'help')) {
    context.stdout.write(`${REQUESTS_HELP}\n`);
    return EXIT.ok;
  }
  requirePositionals(parsed, [], 'requests');
  const status = oneOf(stringValue(parsed, 'status'), STATUSES, 'status', 'requests', 'pending');
  const format = oneOf(
    stringValue(parsed, 'format'),
    ['table', 'json'] as const,
    'format',
    'requests',
    'table',
  );
  const list = await context.client().requests.list({
    ...(status === 'all' ? {} : { status: status as AccessRequestStatus }),
    signal: context.signal,
  });
  if (format === 'json') {
    context.stdout.write(
      `${JSON.stringify(
        list.map((r) => r.raw),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  if (list.length === 0) {
    context.stderr.write(`tracegate: no ${status === 'all' ? '' : `${status} `}access requests\n`);
    return EXIT.ok;
  }
  const now = Date.now();
  const rows = list.map((r) =>
    [
      r.accessRequestId,
      r.status,
      r.requester ?? '-',
      `${r.namespace ?? '?'} ${r.path ?? ''}`.trim(),
      `${r.approvals}/${r.approvalsRequired ?? '?'}`,
      r.expiresAt === undefined
        ? '-'
        : r.expiresAt > now
          ? `in ${formatDuration(r.expiresAt - now)}`
          : 'expired',
      fitWidth(r.justification ?? '-', 60),
    ].map((cell) => printable(cell.replace(/[\r\n]+/g, ' '))),
  );
  context.stdout.write(
    `${formatTable(['ID', 'STATUS', 'REQUESTER', 'WHAT', 'APPROVALS', 'EXPIRES', 'REASON'], rows)}\n`,
  );
  return EXIT.ok;
}
