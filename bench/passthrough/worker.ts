// The benchmark's baseline: a Worker on the same runtime that forwards a read
// to the trace store with the store credential, and nothing else (no token
// verification, no policy, no audit, no masking). The gateway's cost is
// reported as a ratio to this.
interface PassthroughEnv {
  ORIGIN_URL: string;
  /** user:password for the Langfuse-style routes (/api/public/…). */
  ORIGIN_CREDENTIAL: string;
  /** Bearer token for the store's other routes (generated traces, OTLP). */
  ORIGIN_BEARER_TOKEN: string;
}

export default {
  async fetch(request: Request, env: PassthroughEnv): Promise<Response> {
    const url = new URL(request.url);
    const target = new URL(`${url.pathname}${url.search}`, env.ORIGIN_URL);
    const authorization = url.pathname.startsWith('/api/public/')
      ? `Basic ${btoa(env.ORIGIN_CREDENTIAL)}`
      : `Bearer ${env.ORIGIN_BEARER_TOKEN}`;
    const upstream = await fetch(target, {
      headers: {
        authorization,
        'accept-encoding': 'identity',
      },
    });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: {
        'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      },
    });
  },
};
