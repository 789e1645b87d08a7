// The webhook sink: receives the gateway's notifications on POST /hooks/:name,
// keeps the last 200 in memory, shows them as a page reviewers click "Review"
// links from, serves them as JSON for tests, and fails on request so delivery
// retries can be tested.
//
//   POST /hooks/:name                      record; 200, or the planned failure
//   GET  /                                 HTML, newest first (?live=1 refreshes)
//   GET  /api/deliveries?name=             JSON { deliveries: [...] }, newest first
//   POST /control/fail?name=X&count=N      answer 500 (or &status=CODE) N times
//   POST /control/reset                    forget deliveries and failure plans
//   GET  /healthz
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, type RunningService } from '../http-server.ts';
import { deliveriesPage } from './deliveries-page.ts';
import { DeliveryLog, type Delivery } from './delivery-log.ts';

export type { Delivery } from './delivery-log.ts';

export interface WebhookSinkOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** How many deliveries to keep (default 200). */
  capacity?: number;
  log?: (line: string) => void;
}

export interface WebhookSink extends RunningService {
  /** Recorded deliveries, newest first (same as GET /api/deliveries). */
  deliveries(name?: string): Delivery[];
}

const maxBodyBytes = 1024 * 1024;

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const deliveries = new DeliveryLog(options.capacity ?? 200);
  const log = options.log ?? ((): void => {});

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`${req.method ?? '?'} ${req.url ?? ''} failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://webhook-sink.local');
    const hook = /^\/hooks\/([\w.-]{1,100})$/.exec(url.pathname)?.[1];
    if (hook !== undefined && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) return sendJson(res, 413, { error: 'payload_too_large' });
      const delivery = deliveries.record({
        name: hook,
        receivedAt: new Date().toISOString(),
        method: req.method,
        path: req.url ?? url.pathname,
        headers: flattenHeaders(req),
        body,
      });
      log(`POST /hooks/${hook} #${delivery.id} → ${delivery.status}`);
      return sendJson(
        res,
        delivery.status,
        delivery.status < 400 ? { ok: true, id: delivery.id } : { error: 'planned_failure' },
      );
    }
    const name = url.searchParams.get('name') ?? undefined;
    switch (`${req.method ?? ''} ${url.pathname}`) {
      case 'GET /':
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
        res.end(
          deliveriesPage(deliveries.list(name), { live: url.searchParams.get('live') === '1' }),
        );
        return;
      case 'GET /api/deliveries':
        return sendJson(res, 200, { deliveries: deliveries.list(name) });
      case 'POST /control/fail': {
        const count = Number(url.searchParams.get('count') ?? '1');
        const status = Number(url.searchParams.get('status') ?? '500');
        if (
          !Number.isInteger(count) ||
          count < 0 ||
          !Number.isInteger(status) ||
          status < 400 ||
          status > 599
        ) {
          return sendJson(res, 400, { error: 'count must be an integer ≥ 0 and status 400..599' });
        }
        deliveries.failNext(name, count, status);
        return sendJson(res, 200, { ok: true, name: name ?? '*', count, status });
      }
      case 'POST /control/reset':
        deliveries.reset();
        return sendJson(res, 200, { ok: true });
      case 'GET /healthz':
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { error: 'not_found' });
    }
  }

  const port = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deliveries: (name) => deliveries.list(name),
    close: () => closeServer(server),
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > maxBodyBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}
