// Retention through the Worker's real `scheduled` handler: an expired
// recording is removed and its removal audited; a fresh one is kept; the same
// run seals new audit rows under a checkpoint.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
import { bundledConfig } from '../../worker/config/active-config.ts';
import { createD1AuditLog } from '../../worker/audit/audit-log.ts';
import { sweepExpiredRecordings } from '../../worker/recording/retention.ts';
import { datePath } from '../../worker/recording/recording-keys.ts';
import { bearer, chunkedResponse, createHarness, send } from './recording-harness.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 3, 0, 0);

async function putSession(at: number, namespace: string): Promise<string> {
  const id = crypto.randomUUID();
  const prefix = `sessions/${datePath(at)}/${namespace}/${id}/`;
  await env.RECORDINGS.put(`${prefix}manifest.json`, '{}');
  await env.RECORDINGS.put(`${prefix}events.ndjson`, '');
  await env.RECORDINGS.put(`${prefix}body`, 'recorded bytes');
  return prefix;
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await env.RECORDINGS.list({ prefix })).objects.map((o) => o.key);
}

async function deletionRows(): Promise<Record<string, unknown>[]> {
  const { results } = await env.AUDIT_DB.prepare(
    "SELECT * FROM audit_events WHERE event = 'recording_deleted' ORDER BY seq",
  ).all<Record<string, unknown>>();
  return results;
}

beforeEach(async () => {
  const all = await env.RECORDINGS.list({ prefix: 'sessions/' });
  if (all.objects.length > 0) await env.RECORDINGS.delete(all.objects.map((o) => o.key));
  await env.AUDIT_DB.prepare('DELETE FROM audit_events').run();
  await env.AUDIT_DB.prepare('DELETE FROM audit_checkpoints').run();
  await env.AUDIT_DB.prepare(
    "DELETE FROM sqlite_sequence WHERE name IN ('audit_events', 'audit_checkpoints')",
  ).run();
});

describe('the scheduled handler', () => {
  it('removes an expired recording, audits the removal, keeps a fresh one, and writes a checkpoint', async () => {
    const namespace = bundledConfig.namespaces[0];
    if (namespace === undefined) throw new Error('the bundled configuration has no namespace');
    const days = namespace.recording.retentionDays;
    const expired = await putSession(NOW - (days + 2) * DAY, namespace.id);
    const fresh = await putSession(NOW - DAY, namespace.id);
    // A row written before the run: the run's checkpoint seals it.
    await createD1AuditLog(env.AUDIT_DB, () => NOW - DAY, env).write({
      event: 'decision',
      requestId: 'earlier',
    });

    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: NOW, cron: '*/10 * * * *' }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);

    expect(await keysUnder(expired)).toEqual([]);
    expect(await keysUnder(fresh)).toHaveLength(3);
    const rows = await deletionRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      namespace: namespace.id,
      recording_key: expired,
      session_id: expired.split('/')[5],
      reason: `retention: older than ${days} day(s)`,
      at: NOW,
    });
    expect(String(rows[0]?.mac)).toMatch(/^[0-9a-f]{64}$/);
    const checkpoint = await env.AUDIT_DB.prepare(
      'SELECT from_seq, up_to_seq FROM audit_checkpoints',
    ).all();
    expect(checkpoint.results).toEqual([{ from_seq: 1, up_to_seq: 1 }]);
  });
});

describe('retention rules', () => {
  const audit = createD1AuditLog(env.AUDIT_DB, () => NOW, env);
  const sweep = (retentionDays: Map<string, number>) =>
    sweepExpiredRecordings({
      bucket: env.RECORDINGS,
      audit,
      retentionDays,
      now: NOW,
      runId: 'retention-test',
    });

  it('applies each namespace its own retention, to the day', async () => {
    const shortOld = await putSession(NOW - 9 * DAY, 'short');
    const shortEdge = await putSession(NOW - 7 * DAY, 'short');
    const longOld = await putSession(NOW - 9 * DAY, 'long');
    const result = await sweep(
      new Map([
        ['short', 7],
        ['long', 30],
      ]),
    );
    expect(result.deleted).toEqual([shortOld]);
    expect(await keysUnder(shortEdge)).toHaveLength(3);
    expect(await keysUnder(longOld)).toHaveLength(3);
  });

  it('keeps recordings of a namespace no longer configured for the longest configured retention', async () => {
    const old = await putSession(NOW - 40 * DAY, 'removed-ns');
    const older = await putSession(NOW - 400 * DAY, 'removed-ns');
    const result = await sweep(
      new Map([
        ['short', 7],
        ['long', 60],
      ]),
    );
    expect(result.deleted).toEqual([older]);
    expect(await keysUnder(old)).toHaveLength(3);
  });

  it('deletes nothing when the removal cannot be audited', async () => {
    const expired = await putSession(NOW - 90 * DAY, 'short');
    const result = await sweepExpiredRecordings({
      bucket: env.RECORDINGS,
      audit: createD1AuditLog(env.AUDIT_DB, () => NOW, {}),
      retentionDays: new Map([['short', 7]]),
      now: NOW,
      runId: 'retention-test',
    });
    expect(result.deleted).toEqual([]);
    expect(result.failed).toMatchObject([
      { prefix: expired, reason: expect.stringContaining('AUDIT_MAC_KEY') },
    ]);
    expect(await keysUnder(expired)).toHaveLength(3);
  });

  it('a removed recording shows as deleted in the sessions API', async () => {
    const harness = await createHarness();
    const served = await send(harness, '/lf/traces/t1', {
      init: bearer(await harness.staffToken()),
      upstream: async () => chunkedResponse(['{"kept":false}'], 'application/json'),
    });
    const sessionId = served.response.headers.get('x-request-id') ?? '';
    const later = Date.now() + 400 * DAY;
    const result = await sweepExpiredRecordings({
      bucket: env.RECORDINGS,
      audit: createD1AuditLog(env.AUDIT_DB, () => later, env),
      retentionDays: new Map([['lf', 30]]),
      now: later,
      runId: 'retention-test',
    });
    expect(result.deleted).toEqual([expect.stringContaining(`/lf/${sessionId}/`)]);
    const auditor = bearer(await harness.auditorToken());
    const detail = await send(harness, `/v1/sessions/${sessionId}`, { init: auditor });
    expect(JSON.parse(detail.text)).toMatchObject({
      recording: 'deleted',
      manifest: null,
      events: [],
    });
    const body = await send(harness, `/v1/sessions/${sessionId}/body`, { init: auditor });
    expect(body.response.status).toBe(404);
  });
});
