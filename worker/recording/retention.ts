// Retention: removes recordings older than their namespace's
// `recording.retentionDays`, and audits each removal (`recording_deleted`).
//
// Recordings are found by listing date prefixes with a delimiter
// (sessions/yyyy/ → mm/ → dd/ → namespace/), so a run reads only the
// directory levels and the expired sessions, never the whole bucket. A day is
// expired for a namespace once its last instant is older than the retention:
// a recording is kept at least `retentionDays`, at most one day more.
// Namespaces no longer in the configuration keep the longest configured
// retention, so removing a namespace never shortens what it recorded.
//
// The audit row is written before the objects are deleted: if the write
// fails nothing is deleted, and a deletion that fails after it is retried by
// the next run (which audits it again). A run stops after `maxSessions`
// removals; the next run continues.
import type { AuditLog } from '../audit/audit-log.ts';
import { causeReason } from '../http/errors.ts';
import { parseSessionPrefix, SESSIONS_ROOT } from './recording-keys.ts';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  bucket: R2Bucket;
  audit: AuditLog;
  /** namespace id → retention in days. */
  retentionDays: ReadonlyMap<string, number>;
  now: number;
  /** The id the run's audit rows carry as request id. */
  runId: string;
  maxSessions?: number;
}

export interface RetentionResult {
  deleted: string[];
  failed: { prefix: string; reason: string }[];
}

export async function sweepExpiredRecordings(options: RetentionOptions): Promise<RetentionResult> {
  const { bucket, now } = options;
  const longest = Math.max(0, ...options.retentionDays.values());
  const budget = options.maxSessions ?? 500;
  const result: RetentionResult = { deleted: [], failed: [] };

  for (const year of await childPrefixes(bucket, SESSIONS_ROOT)) {
    for (const month of await childPrefixes(bucket, year)) {
      for (const day of await childPrefixes(bucket, month)) {
        for (const namespacePrefix of await childPrefixes(bucket, day)) {
          const parsed = parseSessionPrefix(`${namespacePrefix}00000000/`);
          if (parsed === null) continue;
          const days = options.retentionDays.get(parsed.namespace) ?? longest;
          if (days <= 0 || parsed.dayStart + DAY_MS + days * DAY_MS > now) continue;
          for (const sessionPrefix of await childPrefixes(bucket, namespacePrefix)) {
            if (result.deleted.length + result.failed.length >= budget) return result;
            const session = parseSessionPrefix(sessionPrefix);
            if (session === null) continue;
            try {
              await options.audit.write({
                event: 'recording_deleted',
                requestId: options.runId,
                sessionId: session.sessionId,
                namespace: session.namespace,
                recordingKey: session.prefix,
                reason: `retention: older than ${days} day(s)`,
              });
              await deletePrefix(bucket, session.prefix);
              result.deleted.push(session.prefix);
            } catch (error) {
              result.failed.push({ prefix: session.prefix, reason: causeReason(error) });
            }
          }
        }
      }
    }
  }
  return result;
}

/** The next directory level under a prefix (delimiter listing, all pages). */
async function childPrefixes(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix,
      delimiter: '/',
      ...(cursor === undefined ? {} : { cursor }),
    });
    out.push(...page.delimitedPrefixes);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out.sort();
}

/** Deletes every object under a session prefix (a handful: manifest, events, body). */
async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
    const keys = page.objects.map((object) => object.key);
    if (keys.length > 0) await bucket.delete(keys);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
}
