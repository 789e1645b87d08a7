// Invariant 6, from the outside: the trace store's credentials never appear
// in a response, a log, the audit or a recording. Reads of every kind go
// through the real gateway (allowed and masked, OTLP with a bearer
// credential, blocked, denied, held for review, an upstream error, an
// upstream reset mid-stream, a bad token); then everything the gateway
// produced is searched for the credentials in every spelling the gateway
// could have used: every response (headers and body), the gateway's and the
// origin's log lines, the audit export, every recorded session's metadata and
// replayed body, and every file wrangler persisted (local D1, R2, Durable
// Objects) on disk.
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUserToken } from '../../local-dev/idp/get-token.ts';
import { langfuseCredential, originBearerToken } from '../../local-dev/origin-shim/credentials.ts';
import { startLocalStack, type LocalStack } from '../../local-dev/stack.ts';

const secretKey = langfuseCredential.split(':')[1];
/** Each way a credential could leak: raw, as the Basic header value, and its parts. */
const needles = [
  langfuseCredential,
  Buffer.from(langfuseCredential).toString('base64'),
  secretKey ?? '',
  originBearerToken,
].filter((needle) => needle.length >= 8);

let stack: LocalStack;
let persistDir: string;
let gatewayUrl: string;
const logLines: string[] = [];
/** Everything a caller was sent: status line, headers and body of each response. */
const transcripts: string[] = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  persistDir = mkdtempSync(path.join(os.tmpdir(), 'tracegate-e2e-sweep-'));
  stack = await startLocalStack({
    persistDir,
    idpKeyFile: null,
    log: (source, line) => logLines.push(`[${source}] ${line}`),
  });
  gatewayUrl = stack.gateway?.url ?? '';
  for (const user of ['alice', 'dave', 'mallory']) {
    tokens.set(user, await getUserToken({ issuer: stack.idp.issuer, user }));
  }
});

afterAll(async () => {
  await stack?.close();
  if (persistDir !== undefined) rmSync(persistDir, { recursive: true, force: true });
});

/** Sends a request and keeps everything that came back (a body cut short is kept as far as it got). */
async function call(
  pathname: string,
  user: string | null,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const token = user === null ? undefined : tokens.get(user);
  const response = await fetch(`${gatewayUrl}${pathname}`, {
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  });
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response.body ?? []) text += decoder.decode(chunk, { stream: true });
  } catch {
    // A reset mid-stream: what arrived is kept.
  }
  transcripts.push(
    `${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
  );
  return { status: response.status, text };
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** The needles found in `text`, for a readable failure. */
const leaks = (text: string | Buffer) =>
  needles.filter((needle) =>
    (typeof text === 'string' ? text : text.toString('latin1')).includes(needle),
  );

describe('the store credentials never leave the gateway', () => {
  it('appear in no response, log line, audit row, recording or persisted file', async () => {
    const reads: [string, string | null, Record<string, string>?][] = [
      ['/langfuse/api/public/traces/langgraph-weather', 'alice'],
      ['/langfuse/api/public/traces/langgraph-weather', 'dave'],
      ['/otlp/otlp/v1/traces/otlp-example', 'alice'],
      ['/otlp/ndjson/traces/langgraph-weather', 'alice'],
      ['/otlp/sse/traces/anthropic-thinking', 'alice'],
      ['/langfuse/api/public/traces', 'alice'], // blocked
      ['/langfuse/api/public/traces/langgraph-weather', 'mallory'], // denied
      ['/langfuse/api/public/traces/langgraph-weather', null], // no token
      ['/langfuse/api/public/traces/langgraph-weather', 'alice', { authorization: 'Bearer x.y.z' }],
      ['/langfuse/api/public/traces/does-not-exist', 'alice'], // the store's 404
      ['/langfuse/api/public/traces/langgraph-weather?fault=status:500', 'alice'],
      ['/langfuse/api/public/traces/langgraph-weather?fault=reset-after:2000', 'alice'],
      [
        '/restricted/api/public/traces/langgraph-weather',
        'alice',
        { 'tracegate-justification': 'sweep' },
      ], // held for review: 202
    ];
    const statuses: number[] = [];
    for (const [pathname, user, headers] of reads) {
      statuses.push((await call(pathname, user, headers ?? {})).status);
    }
    // The reads did what they were meant to, so the sweep covers those paths.
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5, 9)).toEqual([403, 403, 401, 401]);
    expect(statuses.at(-1)).toBe(202);

    // What an auditor can pull out: the whole audit log and every recording.
    const exported = await call('/v1/audit/export?format=ndjson', 'dave');
    expect(exported.status).toBe(200);
    const sessions = JSON.parse((await call('/v1/sessions?limit=100', 'dave')).text) as {
      sessions: { sessionId: string }[];
    };
    expect(sessions.sessions.length).toBeGreaterThanOrEqual(5);
    for (const { sessionId } of sessions.sessions) {
      expect((await call(`/v1/sessions/${sessionId}`, 'dave')).status).toBe(200);
      await call(`/v1/sessions/${sessionId}/body`, 'dave');
    }

    expect(transcripts.flatMap(leaks)).toEqual([]);
    expect(logLines.flatMap(leaks)).toEqual([]);
    // The raw state on disk: local D1 (audit, index), R2 (recordings), Durable Objects.
    const files = filesUnder(persistDir);
    expect(files.length).toBeGreaterThan(3);
    const leakingFiles = files.filter((file) => leaks(readFileSync(file)).length > 0);
    expect(leakingFiles).toEqual([]);
    // The sweep would see a leak: the credential is what the store was sent.
    expect(leaks(`Basic ${Buffer.from(langfuseCredential).toString('base64')}`)).not.toEqual([]);
  });
});
