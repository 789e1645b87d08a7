// manifest.json: the summary of one recorded session.
//
// Written twice: when the recording starts (status `recording`, so a session
// whose Worker died mid-stream is visible as such, not a silent gap) and when
// it ends (`complete`, `truncated` or `failed`). The final write comes last,
// after the body and the events, so a final status means the rest is there.
//
// `body.size` and `body.sha256` describe the bytes the gateway passed to the
// caller, which are the bytes in the body object when `body.stored` is true.
import type { SessionEvent } from './session-events.ts';

export type RecordingStatus = 'recording' | 'complete' | 'truncated' | 'failed';

export interface SessionManifest {
  version: 1;
  sessionId: string;
  requestId: string;
  namespace: string;
  resourceId: string | null;
  status: RecordingStatus;
  /** Why the recording is not complete (null when it is, or still running). */
  statusReason: string | null;
  startedAt: number;
  endedAt: number | null;
  request: Omit<Extract<SessionEvent, { type: 'request' }>, 'type' | 'at'>;
  decision: { outcome: string; ruleId: string; mask: string | null } | null;
  response: { status: number; headers: Record<string, string> };
  body: {
    key: string;
    contentType: string | null;
    /** True when the body object holds these bytes (false: the R2 upload failed). */
    stored: boolean;
    size: number;
    /** Lowercase hex SHA-256 of the bytes; null until the recording ends. */
    sha256: string | null;
    partSize: number;
    parts: number;
  };
  keys: { manifest: string; events: string; body: string };
  retentionDays: number;
}

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
