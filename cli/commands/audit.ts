// tracegate audit — query the audit log (auditors): a table, or an NDJSON /
// CSV export streamed from the gateway.
import type { AuditEvent, AuditFilters } from '../../sdk/index.ts';
import { UsageError, type CliContext } from '../context.ts';
import { download } from '../download.ts';
import { parseTimeArgument } from '../duration.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { fitWidth, formatTable, isoTime, printable } from '../format.ts';
import { flag, oneOf, parseCommand, requirePositionals, stringValue } from '../parse.ts';
import { createDisplay } from '../terminal/display.ts';

export const AUDIT_HELP = `Usage: tracegate audit [filters] [--format table|ndjson|csv] [-o FILE]

Shows audit events (auditors only).

Filters:
  --from TIME       from this time: RFC 3339 (2026-11-24T08:00:00Z) or a
                    duration ago (24h, 7d)
  --to TIME         until this time, same forms
  --namespace NS    one namespace
  --actor WHO       subject or email of the actor
  --decision D      allow, deny, block, review, ...
Options:
  --format F        table (default), ndjson or csv (streamed export)
  --limit N         at most N rows in the table (default 100)
  -o, --output FILE write the export to FILE (atomically)
  -q, --quiet       no progress output on stderr
  -h, --help        this help`;

export async function auditCommand(
  argv: readonly string[],
  context: CliContext,
): Promise<ExitCode> {
  const parsed = parseCommand('audit', argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    namespace: { type: 'string' },
    actor: { type: 'string' },
    decision: { type: 'string' },
    format: { type: 'string' },
    limit: { type: 'string' },
    output: { type: 'string', short: 'o' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (flag(parsed, 'help')) {
    context.stdout.write(`${AUDIT_HELP}\n`);
    return EXIT.ok;
  }
  requirePositionals(parsed, [], 'audit');
  const now = Date.now();
  const time = (name: 'from' | 'to'): Date | undefined => {
    const text = stringValue(parsed, name);
    if (text === undefined) return undefined;
    const date = parseTimeArgument(text, now);
    if (date === undefined)
      throw new UsageError(`--${name}: "${text}" is neither a date nor a duration`, 'audit');
    return date;
  };
  const filters: AuditFilters = {};
  const from = time('from');
  const to = time('to');
  if (from !== undefined) filters.from = from;
  if (to !== undefined) filters.to = to;
  for (const name of ['namespace', 'actor', 'decision'] as const) {
    const value = stringValue(parsed, name);
    if (value !== undefined) filters[name] = value;
  }
  const format = oneOf(
    stringValue(parsed, 'format'),
    ['table', 'ndjson', 'csv'] as const,
    'format',
    'audit',
    'table',
  );
  const limitText = stringValue(parsed, 'limit') ?? '100';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError('--limit: a whole number > 0', 'audit');
  const output = stringValue(parsed, 'output');
  const client = context.client();

  if (format !== 'table') {
    const exported = await client.audit.export({ ...filters, format, signal: context.signal });
    const display = createDisplay(context.stderr, {
      quiet: flag(parsed, 'quiet') || output === undefined,
    });
    await download(
      exported.body,
      output === undefined ? { stream: context.stdout } : { file: output },
      display,
      undefined,
      context.signal,
    );
    return EXIT.ok;
  }
  if (output !== undefined) throw new UsageError('-o needs --format ndjson or csv', 'audit');

  const events: AuditEvent[] = [];
  let more = false;
  for await (const page of client.audit.query({
    ...filters,
    limit: Math.min(limit, 100),
    signal: context.signal,
  })) {
    events.push(...page.events);
    if (events.length >= limit) {
      more = events.length > limit || page.nextCursor !== undefined;
      break;
    }
  }
  if (events.length === 0) {
    context.stderr.write('tracegate: no audit events match\n');
    return EXIT.ok;
  }
  const rows = events
    .slice(0, limit)
    .map((e) =>
      [
        isoTime(
          typeof e.at === 'number' ? e.at : typeof e.at === 'string' ? Date.parse(e.at) : undefined,
        ),
        text(e.event),
        actorOf(e),
        text(e.namespace),
        fitWidth(text(e.resourceId ?? e.path), 40),
        text(e.decision),
        text(e.ruleId),
        text(e.status),
      ].map((cell) => printable(cell.replace(/[\r\n]+/g, ' '))),
    );
  context.stdout.write(
    `${formatTable(['TIME', 'EVENT', 'ACTOR', 'NAMESPACE', 'RESOURCE', 'DECISION', 'RULE', 'STATUS'], rows)}\n`,
  );
  if (more)
    context.stderr.write(
      `tracegate: showing the first ${limit}; use --limit or --format ndjson for more\n`,
    );
  return EXIT.ok;
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '-';
}

function actorOf(event: AuditEvent): string {
  if (typeof event.actorEmail === 'string') return event.actorEmail;
  if (typeof event.actorSubject === 'string') return event.actorSubject;
  const actor = event.actor;
  if (typeof actor === 'string') return actor;
  if (typeof actor === 'object' && actor !== null) {
    const record = actor as Record<string, unknown>;
    return text(record.email ?? record.subject);
  }
  return '-';
}
