// The sessions API, for auditors (mounted at /v1/sessions):
//
//   GET /v1/sessions?from&to&namespace&actor&cursor&limit
//       → { sessions: [...], nextCursor }, newest first
//   GET /v1/sessions/{id}       → { session, recording, manifest, events, audit }
//   GET /v1/sessions/{id}/body  → the recorded body, byte for byte, with its
//                                 original content type, streamed from R2
//
// `recording` says what R2 holds: complete | truncated | failed | recording
// (the Worker died mid-stream) | missing (never started) | deleted (retention).
import { Hono } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../http/errors.ts';
import { sessionManifestSchema } from '../recording/manifest.ts';
import { isSessionId } from '../recording/recording-keys.ts';
import { sessionEventSchema } from '../recording/session-events.ts';
import {
  auditFilterQuerySchema,
  encodeCursor,
  pageQuerySchema,
  parseAuditFilters,
  parseCursor,
  parseLimit,
} from './audit-filters.ts';
import { auditEventSchema, auditRowJson } from './audit-row-view.ts';
import { requireAuditor, type AuditorDeps, type AuditorEnv } from './require-auditor.ts';
import {
  findSession,
  listSessions,
  recordingDeletedAt,
  sessionSummarySchema,
} from './session-index.ts';
import { getRecordedBody, loadManifest, loadRecording, replayResponse } from './session-store.ts';

export const recordingStateSchema = z.enum([
  'complete',
  'truncated',
  'failed',
  'recording',
  'missing',
  'deleted',
]);
export type RecordingState = z.infer<typeof recordingStateSchema>;

/** The query of `GET /v1/sessions` (the other audit filters do not apply to sessions). */
export const sessionListQuerySchema = auditFilterQuerySchema
  .pick({ from: true, to: true, namespace: true, actor: true })
  .extend(pageQuerySchema.shape);

/** The answers (exported: the OpenAPI document is generated from them). */
export const sessionPageSchema = z.object({
  sessions: z.array(sessionSummarySchema).meta({ description: 'Newest first.' }),
  nextCursor: z.string().nullable(),
});

export const sessionDetailSchema = z.object({
  session: sessionSummarySchema,
  recording: recordingStateSchema,
  manifest: sessionManifestSchema.nullable(),
  events: z.array(sessionEventSchema),
  audit: z.array(auditEventSchema).meta({ description: "Every audit row of the session's read." }),
});

export type SessionDetail = z.infer<typeof sessionDetailSchema>;

export function noSession(): GatewayError {
  return new GatewayError('not_found', { publicDetail: 'No recorded session with this id.' });
}

/** Everything known about one session (API and pages share it). */
export async function sessionDetail(env: Env, sessionId: string): Promise<SessionDetail> {
  if (!isSessionId(sessionId)) throw noSession();
  const found = await findSession(env.AUDIT_DB, sessionId);
  if (found === null) throw noSession();
  const key = found.summary.recordingKey;
  const stored =
    key === null ? { manifest: null, events: [] } : await loadRecording(env.RECORDINGS, key);
  let recording: RecordingState;
  if (key === null) recording = 'missing';
  else if (stored.manifest !== null) recording = stored.manifest.status;
  else
    recording =
      (await recordingDeletedAt(env.AUDIT_DB, sessionId)) === null ? 'missing' : 'deleted';
  return { session: found.summary, recording, ...stored, audit: found.rows.map(auditRowJson) };
}

/** The body replay response (API and pages share it). */
export async function sessionBody(
  env: Env,
  sessionId: string,
  requestId: string,
): Promise<Response> {
  if (!isSessionId(sessionId)) throw noSession();
  const found = await findSession(env.AUDIT_DB, sessionId);
  const key = found?.summary.recordingKey ?? null;
  if (key === null) throw noSession();
  const [body, manifest] = await Promise.all([
    getRecordedBody(env.RECORDINGS, key),
    loadManifest(env.RECORDINGS, key),
  ]);
  if (body === null) {
    throw new GatewayError('not_found', { publicDetail: 'This session has no recorded body.' });
  }
  return replayResponse(body, manifest, requestId);
}

export function createSessionsApi(deps: AuditorDeps): Hono<AuditorEnv> {
  const api = new Hono<AuditorEnv>();
  api.use(requireAuditor(deps));

  api.get('/', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters = parseAuditFilters(params);
    const page = await listSessions(
      c.env.AUDIT_DB,
      filters,
      parseCursor(params),
      parseLimit(params),
    );
    return c.json(
      {
        sessions: page.sessions,
        nextCursor: page.nextBefore === null ? null : encodeCursor(page.nextBefore),
      } satisfies z.infer<typeof sessionPageSchema>,
      200,
      { 'cache-control': 'no-store' },
    );
  });

  api.get('/:id', async (c) => {
    return c.json(await sessionDetail(c.env, c.req.param('id')), 200, {
      'cache-control': 'no-store',
    });
  });

  api.get('/:id/body', (c) => sessionBody(c.env, c.req.param('id'), c.get('requestId')));

  return api;
}
