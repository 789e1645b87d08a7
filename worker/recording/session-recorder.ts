// Step 8 of the request path: one session recording, from start to manifest.
//
// `beginRecording` runs before the first byte flows. It applies the
// namespace's recording policy:
//   enabled: false         → nothing is recorded;
//   cannot start, required → `refusal` is set and the read must be refused;
//   cannot start, optional → the read goes on and the audit says "missing".
// Starting means writing the first manifest (status `recording`); it must
// succeed. The body's multipart upload is created only when the body outgrows
// one part (part-writer.ts): a body that fits in one part, most traces, is
// stored with a single `put` when it ends.
//
// `tap` wraps the body (record-stream.ts). When it ends, the events and the
// final manifest are written, and `annotate` adds the recording's key, digest
// and status to the completion audit row.
import type { AuditEvent } from '../audit/audit-log.ts';
import type { NamespaceConfig } from '../config/schema.ts';
import { causeReason } from '../http/errors.ts';
import type { Principal } from '../identity/principal.ts';
import type { RecordingStatus, SessionManifest } from './manifest.ts';
import { createPartWriter, DEFAULT_PART_SIZE } from './part-writer.ts';
import { recordingKeys, type RecordingKeys } from './recording-keys.ts';
import { recordStream, type RecordedBody } from './record-stream.ts';
import { headersRecord, requestEvent } from './request-snapshot.ts';
import { eventsNdjson, type SessionEvent } from './session-events.ts';

/** What the recorder needs of an authorized read (AuthorizedRead fits). */
export interface RecordableRead {
  request: Request;
  url: URL;
  /** The query sent to the store (recorded with credential-like values redacted). */
  search: string;
  route: { namespace: Pick<NamespaceConfig, 'id' | 'recording'> };
  scope: { requestId: string; principal: Principal; resourceId: string | null };
  started: number;
  sessionEvents?: SessionEvent[];
}

export interface RecordingDeps {
  bucket: R2Bucket | undefined;
  now: () => number;
  /** Keeps the final writes alive after the response has ended. */
  waitUntil: (promise: Promise<unknown>) => void;
  partSize?: number;
}

export interface SessionRecording {
  /** Set when the namespace requires a recording that could not be started. */
  readonly refusal: { reason: string; cause: unknown } | null;
  /** Wraps the body the caller will read. */
  tap(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array>;
  /** Records a response without a body (HEAD, 204): request, decision, head. */
  tapEmpty(): void;
  /** The completion row, with the recording's fields once it has ended. */
  annotate(event: AuditEvent): Promise<AuditEvent>;
}

const JSON_TYPE = { httpMetadata: { contentType: 'application/json' } };
const NDJSON_TYPE = { httpMetadata: { contentType: 'application/x-ndjson' } };

export async function beginRecording(
  read: RecordableRead,
  response: { status: number; headers: Headers },
  deps: RecordingDeps,
): Promise<SessionRecording> {
  const settings = read.route.namespace.recording;
  if (!settings.enabled) return passThrough(null, null);
  const sessionId = read.scope.requestId;
  const bucket = deps.bucket;
  const unavailable = (reason: string, cause: unknown): SessionRecording =>
    settings.required
      ? passThrough(sessionId, reason, { reason, cause })
      : passThrough(sessionId, reason);
  if (bucket === undefined) {
    return unavailable('no RECORDINGS bucket is bound', new Error('RECORDINGS binding missing'));
  }

  const keys = recordingKeys(read.started, read.route.namespace.id, sessionId);
  const contentType = response.headers.get('content-type');
  const partSize = deps.partSize ?? DEFAULT_PART_SIZE;
  const request = requestEvent(
    read.request,
    read.url.pathname,
    read.search,
    read.scope.principal,
    read.started,
  );
  const responseEvent: SessionEvent = {
    type: 'response',
    at: deps.now(),
    status: response.status,
    headers: headersRecord(response.headers),
  };
  const priorEvents = read.sessionEvents ?? [];
  const decision = priorEvents.find((e) => e.type === 'decision');
  const requestSummary = {
    method: request.method,
    path: request.path,
    query: request.query,
    headers: request.headers,
    principal: request.principal,
  };
  const manifest: SessionManifest = {
    version: 1,
    sessionId,
    requestId: sessionId,
    namespace: read.route.namespace.id,
    resourceId: read.scope.resourceId,
    status: 'recording',
    statusReason: null,
    startedAt: read.started,
    endedAt: null,
    request: requestSummary,
    decision:
      decision === undefined
        ? null
        : { outcome: decision.outcome, ruleId: decision.ruleId, mask: decision.mask },
    response: { status: response.status, headers: responseEvent.headers },
    body: { key: keys.body, contentType, stored: false, size: 0, sha256: null, partSize, parts: 0 },
    keys: { manifest: keys.manifest, events: keys.events, body: keys.body },
    retentionDays: settings.retentionDays,
  };

  const bodyOptions: R2PutOptions = {
    httpMetadata: contentType === null ? {} : { contentType },
    customMetadata: { sessionId, namespace: manifest.namespace },
  };
  try {
    await bucket.put(keys.manifest, JSON.stringify(manifest), JSON_TYPE);
  } catch (cause) {
    return unavailable(`R2 refused the recording: ${causeReason(cause)}`, cause);
  }
  // Created on the first full part; a body that ends before never has one.
  let upload: Promise<R2MultipartUpload> | undefined;
  const multipart = (): Promise<R2MultipartUpload> =>
    (upload ??= bucket.createMultipartUpload(keys.body, bodyOptions));
  const sink = {
    writer: createPartWriter(
      {
        uploadPart: async (partNumber, value) => (await multipart()).uploadPart(partNumber, value),
        complete: async (parts) => (await multipart()).complete(parts),
        putWhole: (value) => bucket.put(keys.body, value, bodyOptions),
      },
      partSize,
    ),
    abort: async () => {
      if (upload !== undefined) await (await upload).abort();
    },
    putEmpty: async () => {
      await bucket.put(keys.body, new Uint8Array(0), bodyOptions);
    },
  };

  let done: Promise<RecordedBody & { manifestWritten: boolean }> | undefined;
  const complete = (recorded: Promise<RecordedBody>): void => {
    done = recorded.then((body) =>
      writeSummary(
        bucket,
        keys,
        manifest,
        body,
        [request, ...priorEvents, responseEvent],
        deps.now(),
      ),
    );
    deps.waitUntil(done);
  };

  return {
    refusal: null,
    tap(body) {
      const { stream, recorded } = recordStream(body, sink, { required: settings.required });
      complete(recorded);
      return stream;
    },
    tapEmpty() {
      const empty = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const { stream, recorded } = recordStream(empty, sink, { required: false });
      complete(recorded);
      deps.waitUntil(stream.pipeTo(new WritableStream()));
    },
    async annotate(event) {
      if (done === undefined) return { ...event, sessionId };
      const body = await done;
      const note = recordingNote(body.status, body.reason, body.manifestWritten);
      return {
        ...event,
        sessionId,
        recordingKey: keys.prefix,
        sha256: body.sha256,
        reason: joinReasons(event.reason ?? null, note),
      };
    },
  };
}

/** Writes events.ndjson, then the final manifest (last: it vouches for the rest). */
async function writeSummary(
  bucket: R2Bucket,
  keys: RecordingKeys,
  manifest: SessionManifest,
  body: RecordedBody,
  events: SessionEvent[],
  endedAt: number,
): Promise<RecordedBody & { manifestWritten: boolean }> {
  const end: SessionEvent = {
    type: 'end',
    at: endedAt,
    recording: body.status,
    bytes: body.bytes,
    sha256: body.sha256,
    reason: body.reason,
  };
  const final: SessionManifest = {
    ...manifest,
    status: body.status,
    statusReason: body.reason,
    endedAt,
    body: {
      ...manifest.body,
      stored: body.stored,
      size: body.bytes,
      sha256: body.sha256,
      parts: body.parts,
    },
  };
  try {
    await bucket.put(keys.events, eventsNdjson([...events, end]), NDJSON_TYPE);
    await bucket.put(keys.manifest, JSON.stringify(final), JSON_TYPE);
    return { ...body, manifestWritten: true };
  } catch (error) {
    console.error(`[${manifest.sessionId}] recording summary not written: ${causeReason(error)}`);
    return { ...body, manifestWritten: false };
  }
}

/** A recording that records nothing: disabled (no session), or missing/refused. */
function passThrough(
  sessionId: string | null,
  missingReason: string | null,
  refusal: { reason: string; cause: unknown } | null = null,
): SessionRecording {
  return {
    refusal,
    tap: (body) => body,
    tapEmpty: () => undefined,
    annotate: async (event) =>
      sessionId === null
        ? event
        : {
            ...event,
            sessionId,
            recordingKey: null,
            reason: joinReasons(
              event.reason ?? null,
              `recording missing: ${missingReason ?? 'unknown'}`,
            ),
          },
  };
}

function recordingNote(
  status: Exclude<RecordingStatus, 'recording'>,
  reason: string | null,
  manifestWritten: boolean,
): string | null {
  const summary = manifestWritten ? '' : ' (manifest not written)';
  switch (status) {
    case 'complete':
      return manifestWritten ? null : `recording incomplete${summary}`;
    case 'truncated':
      return `recording truncated${summary}`;
    case 'failed':
      return `recording failed: ${reason ?? 'unknown'}${summary}`;
  }
}

function joinReasons(first: string | null, second: string | null): string | null {
  if (first === null) return second;
  if (second === null) return first;
  return `${first}; ${second}`;
}
