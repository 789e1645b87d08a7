// manifest.json: the summary of one recorded session.
//
// Written twice: when the recording starts (status `recording`, so a session
// whose Worker died mid-stream is visible as such, not a silent gap) and when
// it ends (`complete`, `truncated` or `failed`). The final write comes last,
// after the body and the events, so a final status means the rest is there.
//
// `body.size` and `body.sha256` describe the bytes the gateway passed to the
// caller, which are the bytes in the body object when `body.stored` is true.
import { z } from 'zod';
import { sessionEventSchema } from './session-events.ts';

export const recordingStatusSchema = z.enum(['recording', 'complete', 'truncated', 'failed']);
export type RecordingStatus = z.infer<typeof recordingStatusSchema>;

const requestEventSchema = sessionEventSchema.options[0];

/** manifest.json (exported: the OpenAPI document is generated from it). */
export const sessionManifestSchema = z.object({
  version: z.literal(1),
  sessionId: z.string(),
  requestId: z.string(),
  namespace: z.string(),
  resourceId: z.string().nullable(),
  status: recordingStatusSchema,
  statusReason: z.string().nullable().meta({
    description: 'Why the recording is not complete (null when it is, or still running).',
  }),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  request: requestEventSchema.omit({ type: true, at: true }),
  decision: z
    .object({ outcome: z.string(), ruleId: z.string(), mask: z.string().nullable() })
    .nullable(),
  response: z.object({ status: z.number(), headers: z.record(z.string(), z.string()) }),
  body: z.object({
    key: z.string(),
    contentType: z.string().nullable(),
    stored: z.boolean().meta({
      description: 'True when the body object holds these bytes (false: the R2 upload failed).',
    }),
    size: z.number(),
    sha256: z
      .string()
      .nullable()
      .meta({ description: 'Lowercase hex SHA-256 of the bytes; null until the recording ends.' }),
    partSize: z.number(),
    parts: z.number(),
  }),
  keys: z.object({ manifest: z.string(), events: z.string(), body: z.string() }),
  retentionDays: z.number(),
});

export type SessionManifest = z.infer<typeof sessionManifestSchema>;

/** Narrows a parsed manifest.json; null for anything else (a damaged or foreign object). */
export function parseManifest(text: string): SessionManifest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const field = (name: string): unknown => Reflect.get(value, name);
  const status = field('status');
  if (
    field('version') !== 1 ||
    typeof field('sessionId') !== 'string' ||
    typeof field('namespace') !== 'string' ||
    (status !== 'recording' &&
      status !== 'complete' &&
      status !== 'truncated' &&
      status !== 'failed')
  ) {
    return null;
  }
  const body = field('body');
  if (typeof body !== 'object' || body === null || typeof Reflect.get(body, 'key') !== 'string') {
    return null;
  }
  return value as SessionManifest;
}
