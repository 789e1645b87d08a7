// A served read is recorded in R2 and replayed byte for byte: JSON, NDJSON
// and SSE bodies, through the whole gateway (identity, policy, audit, proxy,
// recording) and the auditor's replay API.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../worker/recording/manifest.ts';
import { keysForPrefix } from '../../worker/recording/recording-keys.ts';
import { parseEventsNdjson } from '../../worker/recording/session-events.ts';
import {
  auditRows,
  bearer,
  chunkedResponse,
  createHarness,
  send,
  sha256Hex,
  type Harness,
} from './recording-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness();
});

const bodies = {
  json: {
    contentType: 'application/json; charset=utf-8',
    chunks: ['{"id":"t1","observations":[{"in', 'put":"héllo wörld ✓"},', '{"output":"\\u0000"}]}'],
  },
  ndjson: {
    contentType: 'application/x-ndjson',
    chunks: ['{"span":1,"name":"plan"}\n{"sp', 'an":2,"name":"tool"}\n', '{"span":3}\n'],
  },
  sse: {
    contentType: 'text/event-stream',
    chunks: [
      'event: token\ndata: {"t":"Hel"}\n\n',
      'data: {"t":"lo"}\n\n: keep-alive\n\n',
      'event: done\ndata: [DONE]\n\n',
    ],
  },
};

describe('a recorded read replays byte for byte', () => {
  for (const [format, { contentType, chunks }] of Object.entries(bodies)) {
    it(`${format}: the replay equals the served body, with its content type and digest`, async () => {
      const served = await send(harness, '/lf/traces/t1?fields=core&api_key=abc', {
        init: bearer(await harness.staffToken(), { 'user-agent': 'sdk/1.0', cookie: 'gw=secret' }),
        upstream: async () => chunkedResponse(chunks, contentType),
      });
      expect(served.response.status).toBe(200);
      expect(served.text).toBe(chunks.join(''));
      const sessionId = served.response.headers.get('x-request-id') ?? '';

      const replay = await send(harness, `/v1/sessions/${sessionId}/body`, {
        init: bearer(await harness.auditorToken()),
      });
      expect(replay.response.status).toBe(200);
      expect(replay.bytes).toEqual(served.bytes);
      expect(replay.response.headers.get('content-type')).toBe(contentType);
      expect(replay.response.headers.get('x-tracegate-recording-status')).toBe('complete');
      const digest = await sha256Hex(served.bytes);
      const reprDigest = replay.response.headers.get('repr-digest') ?? '';
      expect(reprDigest).toBe(
        `sha-256=:${btoa(String.fromCharCode(...(digest.match(/../g) ?? []).map((h) => parseInt(h, 16))))}:`,
      );
      expect(replay.response.headers.get('content-security-policy')).toContain('sandbox');
    });
  }

  it('points the completion audit row at the recording, with the served digest', async () => {
    const { chunks, contentType } = bodies.json;
    const served = await send(harness, '/lf/traces/t2', {
      init: bearer(await harness.staffToken()),
      upstream: async () => chunkedResponse(chunks, contentType),
    });
    const sessionId = served.response.headers.get('x-request-id') ?? '';
    const rows = await auditRows(sessionId);
    expect(rows.map((r) => r.event)).toEqual(['decision', 'completed']);
    const completed = rows[1] ?? {};
    expect(completed).toMatchObject({
      session_id: sessionId,
      sha256: await sha256Hex(served.bytes),
      bytes: served.bytes.byteLength,
      reason: null,
    });
    expect(String(completed.recording_key)).toMatch(
      new RegExp(`^sessions/\\d{4}/\\d{2}/\\d{2}/lf/${sessionId}/$`),
    );
  });

  it('writes a manifest and a timeline without credentials or cookies', async () => {
    const served = await send(harness, '/lf/traces/t3?fields=core&access_token=leak', {
      init: bearer(await harness.staffToken(), { cookie: 'gw=secret', accept: 'application/json' }),
      upstream: async () => chunkedResponse(['{"ok":true}'], 'application/json'),
    });
    const sessionId = served.response.headers.get('x-request-id') ?? '';
    const [decision, completed] = await auditRows(sessionId);
    // The audit rows name the query too, with the same value redacted.
    for (const row of [decision, completed])
      expect(row?.path).toBe('/lf/traces/t3?fields=core&access_token=%5BREDACTED%5D');
    const keys = keysForPrefix(String(completed?.recording_key));
    const manifestText = (await (await env.RECORDINGS.get(keys.manifest))?.text()) ?? '';
    const eventsText = (await (await env.RECORDINGS.get(keys.events))?.text()) ?? '';
    const manifest = parseManifest(manifestText);
    expect(manifest).toMatchObject({
      status: 'complete',
      sessionId,
      namespace: 'lf',
      resourceId: 't3',
      decision: { outcome: 'allow', ruleId: 'staff-read' },
      request: {
        method: 'GET',
        path: '/lf/traces/t3',
        query: '?fields=core&access_token=%5BREDACTED%5D',
      },
      response: { status: 200 },
      body: { stored: true, size: 11, sha256: await sha256Hex(served.bytes), parts: 1 },
    });
    expect(manifest?.request.headers).toEqual({ accept: 'application/json' });
    expect(manifest?.request.principal).toMatchObject({ subject: 'alice', groups: ['staff'] });
    const events = parseEventsNdjson(eventsText);
    expect(events.map((e) => e.type)).toEqual(['request', 'decision', 'response', 'end']);
    for (const secret of ['Bearer', 'gw=secret', 'leak']) {
      expect(manifestText).not.toContain(secret);
      expect(eventsText).not.toContain(secret);
      expect(JSON.stringify([decision, completed])).not.toContain(secret);
    }
  });

  it('records a response without a body (HEAD) as a complete empty session', async () => {
    const served = await send(harness, '/lf/traces/t4', {
      init: { ...bearer(await harness.staffToken()), method: 'HEAD' },
      upstream: async () => chunkedResponse(['{"ignored":true}'], 'application/json'),
    });
    expect(served.response.status).toBe(200);
    const sessionId = served.response.headers.get('x-request-id') ?? '';
    const [, completed] = await auditRows(sessionId);
    expect(completed).toMatchObject({ event: 'completed', session_id: sessionId, bytes: 0 });
    const replay = await send(harness, `/v1/sessions/${sessionId}/body`, {
      init: bearer(await harness.auditorToken()),
    });
    expect(replay.response.status).toBe(200);
    expect(replay.bytes.byteLength).toBe(0);
  });

  it('records nothing in a namespace with recording disabled', async () => {
    const served = await send(harness, '/norec/anything', {
      init: bearer(await harness.staffToken()),
      upstream: async () => chunkedResponse(['plain'], 'text/plain'),
    });
    expect(served.text).toBe('plain');
    const sessionId = served.response.headers.get('x-request-id') ?? '';
    const [, completed] = await auditRows(sessionId);
    expect(completed).toMatchObject({ event: 'completed', session_id: null, recording_key: null });
    const listed = await env.RECORDINGS.list({ prefix: 'sessions/' });
    expect(listed.objects.some((o) => o.key.includes(sessionId))).toBe(false);
  });
});

describe('the sessions API', () => {
  it('lists sessions newest first and shows one with its manifest, events and audit rows', async () => {
    const token = await harness.staffToken();
    const ids: string[] = [];
    for (const trace of ['s1', 's2']) {
      const served = await send(harness, `/lf/traces/${trace}`, {
        init: bearer(token),
        upstream: async () => chunkedResponse([`{"trace":"${trace}"}`], 'application/json'),
      });
      ids.push(served.response.headers.get('x-request-id') ?? '');
    }
    const auditor = bearer(await harness.auditorToken());
    const list = await send(harness, '/v1/sessions?namespace=lf&actor=alice&limit=1', {
      init: auditor,
    });
    expect(list.response.status).toBe(200);
    const page1 = JSON.parse(list.text) as {
      sessions: { sessionId: string }[];
      nextCursor: string;
    };
    expect(page1.sessions.map((s) => s.sessionId)).toEqual([ids[1]]);
    const next = await send(
      harness,
      `/v1/sessions?namespace=lf&actor=alice&limit=1&cursor=${page1.nextCursor}`,
      {
        init: auditor,
      },
    );
    const page2 = JSON.parse(next.text) as { sessions: { sessionId: string }[] };
    expect(page2.sessions.map((s) => s.sessionId)).toEqual([ids[0]]);

    const detail = await send(harness, `/v1/sessions/${ids[0] ?? ''}`, { init: auditor });
    expect(detail.response.status).toBe(200);
    const body = JSON.parse(detail.text) as {
      recording: string;
      manifest: { sessionId: string };
      events: { type: string }[];
      audit: { event: string }[];
    };
    expect(body.recording).toBe('complete');
    expect(body.manifest.sessionId).toBe(ids[0]);
    expect(body.events.map((e) => e.type)).toEqual(['request', 'decision', 'response', 'end']);
    expect(body.audit.map((a) => a.event)).toEqual(['decision', 'completed']);
  });

  it('answers 404 for an unknown or malformed session id', async () => {
    const auditor = bearer(await harness.auditorToken());
    for (const id of [crypto.randomUUID(), '..%2F..%2Fetc', 'x']) {
      const { response, text } = await send(harness, `/v1/sessions/${id}`, { init: auditor });
      expect(response.status).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ code: 'not_found' });
    }
  });
});
