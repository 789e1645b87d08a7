// Where a session recording lives in R2 (see STORAGE.md).
//
//   sessions/{yyyy}/{mm}/{dd}/{namespace}/{sessionId}/manifest.json
//   sessions/{yyyy}/{mm}/{dd}/{namespace}/{sessionId}/events.ndjson
//   sessions/{yyyy}/{mm}/{dd}/{namespace}/{sessionId}/body
//
// The date (UTC, of the read's start) comes first so retention can find
// expired recordings by listing date prefixes with a delimiter, never the
// whole bucket; the namespace comes next because retention is per namespace.
// The session id is the gateway request id of the served read (a UUID), the
// same id as `x-request-id` and the audit rows' `request_id`/`session_id`.

export const SESSIONS_ROOT = 'sessions/';

export interface RecordingKeys {
  /** The session's prefix, ending in "/": what the audit row's `recording_key` holds. */
  prefix: string;
  manifest: string;
  events: string;
  body: string;
}

const SESSION_ID = /^[A-Za-z0-9-]{8,64}$/;

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/** UTC `yyyy/mm/dd` of an instant. */
export function datePath(at: number): string {
  const date = new Date(at);
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `${yyyy}/${mm}/${dd}`;
}

export function recordingKeys(
  startedAt: number,
  namespace: string,
  sessionId: string,
): RecordingKeys {
  if (!isSessionId(sessionId)) throw new TypeError(`not a session id: ${sessionId}`);
  return keysForPrefix(`${SESSIONS_ROOT}${datePath(startedAt)}/${namespace}/${sessionId}/`);
}

export function keysForPrefix(prefix: string): RecordingKeys {
  return {
    prefix,
    manifest: `${prefix}manifest.json`,
    events: `${prefix}events.ndjson`,
    body: `${prefix}body`,
  };
}

/** The parts of a session prefix, or null for a key outside the layout. */
export function parseSessionPrefix(
  key: string,
): { day: string; dayStart: number; namespace: string; sessionId: string; prefix: string } | null {
  const match =
    /^sessions\/(\d{4})\/(\d{2})\/(\d{2})\/([a-z0-9][a-z0-9_-]{0,62})\/([A-Za-z0-9-]{8,64})\//.exec(
      key,
    );
  if (match === null) return null;
  const [prefix, yyyy, mm, dd, namespace, sessionId] = match;
  if (
    prefix === undefined ||
    yyyy === undefined ||
    mm === undefined ||
    dd === undefined ||
    namespace === undefined ||
    sessionId === undefined
  ) {
    return null;
  }
  const dayStart = Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd));
  if (Number.isNaN(dayStart)) return null;
  return { day: `${yyyy}/${mm}/${dd}`, dayStart, namespace, sessionId, prefix };
}
