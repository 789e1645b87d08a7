// The benchmark's baseline: a Worker on the same runtime that forwards a read
// to the trace store with the store credential, and nothing else (no token
// verification, no policy, no audit, no masking). The gateway's cost is
// reported as a ratio to this.
interface PassthroughEnv {
  ORIGIN_URL: string;
  ORIGIN_CREDENTIAL: string;
}

export default {
  async fetch(request: Request, env: PassthroughEnv): Promise<Response> {
    const url = new URL(request.url);
    const target = new URL(`${url.pathname}${url.search}`, env.ORIGIN_URL);
    const upstream = await fetch(target, {
      headers: {
        authorization: `Basic ${btoa(env.ORIGIN_CREDENTIAL)}`,
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
