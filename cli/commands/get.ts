// tracegate get <namespace> <trace-id> --reason "..." — read one trace,
// waiting through a review if the policy asks for one.
import {
  TracegateNetworkError,
  TracegateTimeoutError,
  justificationHeader,
  type ReadTraceOptions,
  type ReviewStatus,
} from '../../sdk/index.ts';
import { Interrupted, UsageError, type CliContext } from '../context.ts';
import { download } from '../download.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { durationValue, flag, parseCommand, requirePositionals, stringValue } from '../parse.ts';
import { createDisplay } from '../terminal/display.ts';

export const GET_HELP = `Usage: tracegate get <namespace> <trace-id> --reason "..." [options]

Reads one trace through the gateway and writes it to stdout (or -o FILE).
If the policy needs a human review, waits for it: a live status line on
stderr shows the access request, the review link, approvals, who was
notified and the time left; then a progress line while the trace downloads.

Options:
  --reason TEXT     why you need this trace (sent as Tracegate-Justification
                    and recorded in the audit); required
  --path P          path below the namespace, {traceId} is replaced
                    (default /api/public/traces/{traceId}, the Langfuse API)
  --wait DURATION   how long the gateway may hold each status poll while the
                    review is pending (default 60s; the gateway caps it)
  --timeout DURATION  give up waiting for the review after this long
                    (default 15m; 0 waits until the request expires)
  -o, --output FILE write the trace to FILE (all or nothing: a temporary file
                    is renamed into place at the end, mode 0600)
  --resume ID       continue waiting for access request ID (printed when a
                    previous run timed out or was interrupted)
  -q, --quiet       no status or progress output on stderr
  -h, --help        this help

Example:
  tracegate get langfuse langgraph-weather --reason "INC-4211: bad tool call"`;

export async function getCommand(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  const parsed = parseCommand('get', argv, {
    reason: { type: 'string' },
    path: { type: 'string' },
    wait: { type: 'string' },
    timeout: { type: 'string' },
    output: { type: 'string', short: 'o' },
    resume: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (flag(parsed, 'help')) {
    context.stdout.write(`${GET_HELP}\n`);
    return EXIT.ok;
  }
  const [namespace = '', traceId = ''] = requirePositionals(
    parsed,
    ['namespace', 'trace-id'],
    'get',
  );
  const reason = stringValue(parsed, 'reason');
  if (reason === undefined || reason.trim() === '')
    throw new UsageError('--reason is required: say why you need this trace', 'get');
  try {
    justificationHeader(reason);
  } catch (error) {
    const why = error instanceof TypeError ? error.message.replace(/^justification: /, '') : '';
    throw new UsageError(`--reason: ${why}`, 'get');
  }
  const waitSeconds = durationValue(parsed, 'wait', 'get', 60);
  const timeoutSeconds = durationValue(parsed, 'timeout', 'get', 15 * 60);
  const output = stringValue(parsed, 'output');
  const resume = stringValue(parsed, 'resume');
  const tracePath = stringValue(parsed, 'path');
  if (tracePath !== undefined && !tracePath.startsWith('/'))
    throw new UsageError('--path must start with "/"', 'get');

  const display = createDisplay(context.stderr, { quiet: flag(parsed, 'quiet') });
  let accessRequestId = resume;
  const read: ReadTraceOptions = {
    namespace,
    traceId,
    ...(tracePath === undefined ? {} : { tracePath }),
    justification: reason,
    waitSeconds,
    // Learn the access request at once (id, review link) to show it; the polls hold.
    holdRead: false,
    ...(timeoutSeconds > 0 ? { deadline: timeoutSeconds * 1000 } : {}),
    signal: context.signal,
    onPending: (status: ReviewStatus) => {
      accessRequestId = status.accessRequestId;
      display.review(status);
    },
  };
  const resumeHint = (id: string): string =>
    `  tracegate get ${shellQuote(namespace)} ${shellQuote(traceId)} --reason ${shellQuote(reason)}` +
    `${tracePath === undefined ? '' : ` --path ${shellQuote(tracePath)}`}` +
    `${output === undefined ? '' : ` -o ${shellQuote(output)}`} --resume ${shellQuote(id)}`;

  try {
    const client = context.client();
    const trace =
      resume === undefined ? await client.readTrace(read) : await client.resumeRead(resume, read);
    const length = Number(trace.response.headers.get('content-length') ?? Number.NaN);
    await download(
      trace.body,
      output === undefined ? { stream: context.stdout } : { file: output },
      display,
      Number.isSafeInteger(length) ? length : undefined,
      context.signal,
    );
    return EXIT.ok;
  } catch (error) {
    display.stop();
    if (error instanceof TracegateTimeoutError && error.accessRequestId !== undefined) {
      context.stderr.write(
        `tracegate: ${error.message}\nThe request stays pending until a reviewer decides or it expires. Resume with:\n${resumeHint(error.accessRequestId)}\n`,
      );
      return EXIT.timeout;
    }
    if (error instanceof TracegateNetworkError && error.accessRequestId !== undefined) {
      context.stderr.write(
        `tracegate: ${error.message}\ntracegate: the gateway went away while access request ${error.accessRequestId} was pending; it stays pending there. Resume with:\n${resumeHint(error.accessRequestId)}\n`,
      );
      return EXIT.network;
    }
    if (error instanceof Interrupted && accessRequestId !== undefined) {
      context.stderr.write(
        `\ntracegate: interrupted; access request ${accessRequestId} stays pending. Resume with:\n${resumeHint(accessRequestId)}\n`,
      );
      return EXIT.interrupted;
    }
    throw error;
  }
}

/** Quotes for a POSIX shell, only when needed. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
