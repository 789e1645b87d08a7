// One load run with autocannon (a maintained HTTP benchmarking library):
// fixed connections for a fixed time, latency percentiles from its HDR
// histogram. Every non-2xx answer counts as an error, so a benchmark of a
// path that silently started failing cannot look fast.
import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  requests: number;
  bytesPerRequest: number;
}

export async function runLoad(options: {
  name: string;
  url: string;
  headers?: Record<string, string>;
  seconds: number;
  connections: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    headers: options.headers ?? {},
    duration: options.seconds,
    connections: options.connections,
  });
  const total = result.requests.total;
  return {
    name: options.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: total,
    bytesPerRequest: total === 0 ? 0 : Math.round(result.throughput.total / total),
  };
}
