// Reading a recorded session back from R2: manifest, events, and the body
// as a byte-for-byte replay.
//
// The replay is served from the gateway's own origin with the trace's
// original content type, so it is locked down: a sandboxing CSP with nothing
// allowed (a recorded text/html body cannot run script or reach the auditor's
// session), nosniff, and no-store. `Repr-Digest` (RFC 9530 §3) carries the
// recorded SHA-256 so a client can check what it received.
import { keysForPrefix } from '../recording/recording-keys.ts';
import { parseManifest, type SessionManifest } from '../recording/manifest.ts';
import { parseEventsNdjson, type SessionEvent } from '../recording/session-events.ts';

export interface StoredRecording {
  manifest: SessionManifest | null;
  events: SessionEvent[];
}

export async function loadRecording(
  bucket: R2Bucket,
  recordingKey: string,
): Promise<StoredRecording> {
  const keys = keysForPrefix(recordingKey);
  const [manifestObject, eventsObject] = await Promise.all([
    bucket.get(keys.manifest),
    bucket.get(keys.events),
  ]);
  const manifest = manifestObject === null ? null : parseManifest(await manifestObject.text());
  const events = eventsObject === null ? [] : parseEventsNdjson(await eventsObject.text());
  return { manifest, events };
}

export async function loadManifest(
  bucket: R2Bucket,
  recordingKey: string,
): Promise<SessionManifest | null> {
  const object = await bucket.get(keysForPrefix(recordingKey).manifest);
  return object === null ? null : parseManifest(await object.text());
}

/** The recorded body, or its first `maxBytes` bytes; null when there is none. */
export async function getRecordedBody(
  bucket: R2Bucket,
  recordingKey: string,
  maxBytes?: number,
): Promise<R2ObjectBody | null> {
  const key = keysForPrefix(recordingKey).body;
  return bucket.get(key, maxBytes === undefined ? {} : { range: { offset: 0, length: maxBytes } });
}

export function replayResponse(
  body: R2ObjectBody,
  manifest: SessionManifest | null,
  requestId: string,
): Response {
  const headers = new Headers({
    'content-length': String(body.size),
    'cache-control': 'no-store',
    'content-security-policy': "sandbox; default-src 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-request-id': requestId,
  });
  const contentType = body.httpMetadata?.contentType ?? manifest?.body.contentType ?? null;
  if (contentType !== null) headers.set('content-type', contentType);
  if (manifest !== null) {
    headers.set('x-tracegate-recording-status', manifest.status);
    const sha256 = manifest.body.sha256;
    if (manifest.body.stored && sha256 !== null && /^[0-9a-f]{64}$/.test(sha256)) {
      headers.set('repr-digest', `sha-256=:${hexToBase64(sha256)}:`);
    }
  }
  return new Response(body.body, { status: 200, headers });
}

function hexToBase64(hex: string): string {
  let binary = '';
  for (let i = 0; i < hex.length; i += 2)
    binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}
