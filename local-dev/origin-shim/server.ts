// The origin shim: a small trace store standing in for Langfuse / an OTLP
// store behind the gateway. It requires its own credential (so the gateway's
// credential injection is proven), serves the real public trace samples in
// several formats, generates large traces on the fly, and injects faults.
// Logs carry method, path, status and byte count, never request headers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServer, listenOnLoopback, type RunningService } from '../http-server.ts';
import {
  defaultShimCredentials,
  hasCredential,
  schemeForPath,
  wwwAuthenticate,
  type ShimCredentials,
} from './credentials.ts';
import { parseFaults } from './faults.ts';
import { generatedContentTypes, generateTrace, type GeneratedFormat } from './generate-trace.ts';
import { jsonReply, sendReply, type ShimReply } from './send-reply.ts';
import { loadTraceFixtures, type TraceFixtures } from './trace-fixtures.ts';

export { originTraceIds, traceAliases, type OriginTraceIds } from './trace-fixtures.ts';
export { langfuseCredential, originBearerToken } from './credentials.ts';

export interface OriginShimOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Folder with the public trace samples; defaults to ../shared/traces from the repo root. */
  tracesDir?: string;
  credentials?: ShimCredentials;
  /** Pause between SSE events of the recorded stream, in ms (default 5). */
  sseEventIntervalMs?: number;
  /** Access log sink; silent by default. */
  log?: (line: string) => void;
}

export interface OriginShim extends RunningService {
  ids: TraceFixtures['ids'];
}

const maxGeneratedBytes = 100 * 1024 ** 3;
const defaultGeneratedBytes = 1024 * 1024;

export async function startOriginShim(options: OriginShimOptions = {}): Promise<OriginShim> {
  const fixtures = loadTraceFixtures(options.tracesDir);
  const credentials = options.credentials ?? defaultShimCredentials;
  const sseIntervalMs = options.sseEventIntervalMs ?? 5;
  const log = options.log ?? ((): void => {});

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin-shim.local');
    handle(req, res, url)
      .then((bytes) => log(`${req.method ?? '?'} ${url.pathname} ${res.statusCode} ${bytes}B`))
      .catch((error: unknown) => {
        log(`${req.method ?? '?'} ${url.pathname} failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    if (url.pathname === '/healthz') return sendReply(res, jsonReply(200, { ok: true }), {});
    const scheme = schemeForPath(url.pathname);
    if (!hasCredential(req.headers.authorization, scheme, credentials)) {
      const reply = jsonReply(
        401,
        { error: 'unauthorized', message: 'missing or invalid credentials' },
        { 'www-authenticate': wwwAuthenticate(scheme) },
      );
      return sendReply(res, reply, {});
    }
    const faults = parseFaults(url.searchParams.getAll('fault'));
    if (!faults.ok)
      return sendReply(res, jsonReply(400, { error: 'bad_request', message: faults.reason }), {});
    if (req.method === 'HEAD') return sendReply(res, { ...route(url), body: [] }, faults.faults);
    const reply = req.method === 'GET' ? route(url) : methodNotAllowed();
    return sendReply(res, reply, faults.faults);
  }

  function route(url: URL): ShimReply {
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (path === '/api/public/traces') return listLangfuseTraces();
    if (path === '/api/public/observations') return listLangfuseObservations(url.searchParams);
    if ((match = /^\/api\/public\/traces\/([^/]+)$/.exec(path))) {
      const trace = fixtures.langfuse.get(decode(match[1]));
      return trace
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: [trace.body] }
        : notFound('trace');
    }
    if ((match = /^\/otlp\/v1\/traces\/([^/]+)$/.exec(path))) {
      const doc = fixtures.otlp.get(decode(match[1]).toLowerCase());
      return doc
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: [doc] }
        : notFound('trace');
    }
    if ((match = /^\/ndjson\/traces\/([^/]+)$/.exec(path))) {
      const trace = fixtures.langfuse.get(decode(match[1]));
      if (!trace) return notFound('trace');
      const lines = trace.observations.map((o) => `${JSON.stringify(o)}\n`);
      return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, body: lines };
    }
    if ((match = /^\/sse\/traces\/([^/]+)$/.exec(path))) {
      const events = fixtures.sse.get(decode(match[1]));
      if (!events) return notFound('trace');
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
        body: paced(events, sseIntervalMs),
      };
    }
    if ((match = /^\/generate\/(json|ndjson|sse)(?:\/([^/]+))?$/.exec(path))) {
      // `/generate/json/{id}`: a generated trace addressed like a stored one (the id seeds it).
      const id = match[2] === undefined ? undefined : decode(match[2]);
      return generated(match[1] as GeneratedFormat, url.searchParams, id);
    }
    return notFound('route');
  }

  function listLangfuseTraces(): ShimReply {
    const traces = [...new Set(fixtures.langfuse.values())].map((t) => ({ id: t.id }));
    return jsonReply(200, {
      data: traces,
      meta: { page: 1, limit: 50, totalItems: traces.length, totalPages: 1 },
    });
  }

  /** Langfuse's observation listing: every trace's, or one trace's with `?traceId=`. */
  function listLangfuseObservations(params: URLSearchParams): ShimReply {
    const traceId = params.get('traceId');
    const one = traceId === null ? undefined : fixtures.langfuse.get(traceId);
    const traces =
      traceId === null ? [...new Set(fixtures.langfuse.values())] : one === undefined ? [] : [one];
    const data = traces.flatMap((t) => t.observations);
    return jsonReply(200, {
      data,
      meta: { page: 1, limit: data.length, totalItems: data.length, totalPages: 1 },
    });
  }

  const port = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ids: fixtures.ids,
    close: () => closeServer(server),
  };
}

function generated(format: GeneratedFormat, params: URLSearchParams, id?: string): ShimReply {
  const rawBytes = params.get('bytes');
  const bytes = rawBytes === null ? defaultGeneratedBytes : Number(rawBytes);
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > maxGeneratedBytes) {
    return jsonReply(400, {
      error: 'bad_request',
      message: `bytes must be an integer 0..${maxGeneratedBytes}`,
    });
  }
  const seed = params.get('seed') ?? id ?? '0';
  const pii = params.get('pii') === '1' || params.get('pii') === 'true';
  return {
    status: 200,
    headers: { 'content-type': generatedContentTypes[format] },
    body: generateTrace({ format, bytes, seed, pii }),
  };
}

async function* paced(events: string[], intervalMs: number): AsyncGenerator<string> {
  for (const [index, event] of events.entries()) {
    if (index > 0 && intervalMs > 0) await sleep(intervalMs);
    yield event;
  }
}

function notFound(what: 'trace' | 'route'): ShimReply {
  return jsonReply(404, { error: 'not_found', message: `${what} not found` });
}

function methodNotAllowed(): ShimReply {
  return jsonReply(
    405,
    { error: 'method_not_allowed', message: 'the origin shim is read-only' },
    { allow: 'GET, HEAD' },
  );
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return '';
  }
}
