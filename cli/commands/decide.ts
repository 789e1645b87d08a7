// tracegate approve | deny | cancel <id> — a reviewer's decision, or the
// requester withdrawing their own request.
import type { ReviewStatus } from '../../sdk/index.ts';
import { UsageError, type CliContext } from '../context.ts';
import { formatDuration } from '../duration.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { isoTime, printable } from '../format.ts';
import { durationValue, flag, parseCommand, requirePositionals, stringValue } from '../parse.ts';

export const APPROVE_HELP = `Usage: tracegate approve <id> [--for 1h] [--reason "..."]

Approves access request <id> as a reviewer (requesters cannot approve their
own requests; each reviewer counts once).

Options:
  --for DURATION   how long the grant lasts (e.g. 30m, 1h; the policy caps it;
                   default: the policy's grant TTL)
  --reason TEXT    recorded with your decision
  -h, --help       this help`;

export const DENY_HELP = `Usage: tracegate deny <id> --reason "..."

Denies access request <id>. The reason is shown to the requester.

Options:
  --reason TEXT    why; required
  -h, --help       this help`;

export const CANCEL_HELP = `Usage: tracegate cancel <id>

Withdraws your own pending access request.

Options:
  -h, --help       this help`;

export async function approveCommand(
  argv: readonly string[],
  context: CliContext,
): Promise<ExitCode> {
  const parsed = parseCommand('approve', argv, {
    for: { type: 'string' },
    reason: { type: 'string' },
  });
  if (flag(parsed, 'help')) return help(context, APPROVE_HELP);
  const [id = ''] = requirePositionals(parsed, ['id'], 'approve');
  const grantSeconds =
    stringValue(parsed, 'for') === undefined
      ? undefined
      : durationValue(parsed, 'for', 'approve', 0);
  if (grantSeconds === 0) throw new UsageError('--for must be longer than 0s', 'approve');
  const reason = stringValue(parsed, 'reason');
  const view = await context.client().requests.approve(id, {
    ...(grantSeconds === undefined ? {} : { grantSeconds }),
    ...(reason === undefined ? {} : { reason }),
    signal: context.signal,
  });
  context.stdout.write(`${describe('Approved', id, view)}\n`);
  return EXIT.ok;
}

export async function denyCommand(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  const parsed = parseCommand('deny', argv, { reason: { type: 'string' } });
  if (flag(parsed, 'help')) return help(context, DENY_HELP);
  const [id = ''] = requirePositionals(parsed, ['id'], 'deny');
  const reason = stringValue(parsed, 'reason');
  if (reason === undefined || reason.trim() === '')
    throw new UsageError('--reason is required: the requester sees it', 'deny');
  const view = await context.client().requests.deny(id, { reason, signal: context.signal });
  context.stdout.write(`${describe('Denied', id, view)}\n`);
  return EXIT.ok;
}

export async function cancelCommand(
  argv: readonly string[],
  context: CliContext,
): Promise<ExitCode> {
  const parsed = parseCommand('cancel', argv, {});
  if (flag(parsed, 'help')) return help(context, CANCEL_HELP);
  const [id = ''] = requirePositionals(parsed, ['id'], 'cancel');
  const view = await context.client().requests.cancel(id, { signal: context.signal });
  context.stdout.write(`${describe('Cancelled', id, view)}\n`);
  return EXIT.ok;
}

function help(context: CliContext, text: string): ExitCode {
  context.stdout.write(`${text}\n`);
  return EXIT.ok;
}

function describe(verb: string, id: string, view: ReviewStatus | undefined): string {
  if (view === undefined) return `${verb} ${printable(id)}`;
  const parts = [
    `status ${view.status}`,
    `approvals ${view.approvals}/${view.approvalsRequired ?? '?'}`,
  ];
  if (view.grantExpiresAt !== undefined) {
    parts.push(
      `grant until ${isoTime(view.grantExpiresAt)} (${formatDuration(view.grantExpiresAt - Date.now())})`,
    );
  }
  return `${verb} ${printable(view.accessRequestId)}: ${parts.join(', ')}`;
}
