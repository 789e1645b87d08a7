// Step 6 of the request path: fetch the trace from the store.
//
// The timeout covers the response head only; once bytes flow, the body streams
// for as long as the caller reads it (a trace may be large and the reader slow).
import type { UpstreamConfig } from '../config/schema.ts';
import { GatewayError } from '../http/errors.ts';
import { injectCredential } from './credential.ts';
import { upstreamRequestHeaders } from './forward-headers.ts';

export interface UpstreamFetch {
  (request: Request): Promise<Response>;
}

export function upstreamUrl(upstream: UpstreamConfig, relativePath: string, search: string): URL {
  const base = upstream.basePath.replace(/\/+$/, '');
  const url = new URL(upstream.origin);
  url.pathname = `${base}${relativePath}`;
  url.search = search;
  return url;
}

export async function fetchUpstream(options: {
  upstream: UpstreamConfig;
  relativePath: string;
  search: string;
  incoming: Request;
  requestId: string;
  /** A masking profile applies to this read (conditional headers stay behind). */
  masked: boolean;
  secrets: Record<string, unknown>;
  fetch?: UpstreamFetch;
}): Promise<Response> {
  const { upstream, incoming } = options;
  const headers = upstreamRequestHeaders(incoming.headers, options.requestId, {
    masked: options.masked,
  });
  injectCredential(headers, upstream, options.secrets);
  const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), upstream.timeoutMs);
  const request = new Request(upstreamUrl(upstream, options.relativePath, options.search), {
    method: incoming.method,
    headers,
    body: hasBody ? incoming.body : null,
    redirect: 'manual',
    signal: controller.signal,
  });
  try {
    return await (options.fetch ?? fetch)(request);
  } catch (cause) {
    throw new GatewayError(
      controller.signal.aborted ? 'upstream_timeout' : 'upstream_unavailable',
      {
        cause,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}
