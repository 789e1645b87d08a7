// `npm run bench`: starts the real local stack (with bench/bench-config.ts)
// and prints, from one run:
//
//   1. the read path: the origin directly, a passthrough Worker on the same
//      runtime (no auth, no audit: bench/passthrough/), and the gateway's
//      allowed read without and with masking, each as a ratio to the
//      passthrough Worker;
//   2. a large generated trace streamed through the gateway, unmasked (with
//      and without recording) and masked: MB/s and the gateway's peak memory
//      while a trace several times the Worker's 128 MB streams, as the
//      isolate's heap (bench/isolate-heap.ts) and as workerd's RSS;
//   3. the review flow: approving POST → first byte at the held reader,
//      against an allowed read's time to first byte, and how many held reads
//      one local gateway sustains at once;
//   4. the masker alone (bench/masking.ts, in a process of its own so the
//      load sections' heap and JIT state do not move its figures): MB/s
//      against a pass-through TransformStream, memory while streaming, and
//      a peer library.
//
// Tuning: BENCH_SECONDS (8) and BENCH_CONNECTIONS (16) per load row,
// BENCH_LARGE_MB (256) for section 2, BENCH_REVIEW_SAMPLES (30) and
// BENCH_HELD (comma-separated levels, "100,300,600") for section 3,
// BENCH_MASKING_MB (64) and BENCH_MASKING_HUGE_MB (512) for section 4, and
// BENCH_ONLY (e.g. "read,review") to run some sections; BENCH_LOG=<file>
// appends the local services' logs there.
//
// BENCH_V8_OLD_SPACE_MB (64) caps V8's old space in the bench's workerd
// processes (MINIFLARE_WORKERD_V8_FLAGS, unless that is set already). A
// deployed isolate has a 128 MB limit, so V8 collects before it reaches it;
// locally, with no limit, it lets garbage grow with the trace, and the heap
// figures would show that instead of what the gateway needs.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../local-dev/http-server.ts';
import { startGateway, type RunningGateway } from '../local-dev/gateway-process.ts';
import { getUserToken } from '../local-dev/idp/get-token.ts';
import { langfuseCredential, originBearerToken } from '../local-dev/origin-shim/credentials.ts';
import { repoRoot } from '../local-dev/paths.ts';
import { startLocalStack, type LocalStack } from '../local-dev/stack.ts';
import { writeBenchConfig } from './bench-config.ts';
import { runLoad, type LoadResult } from './load.ts';
import { connectIsolateHeap, type IsolateHeap } from './isolate-heap.ts';
import { approvalLatency, groupRssMb, heldCapacity, type CapacityRow } from './review.ts';
import { fixed, printTable } from './table.ts';

const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 8);
const connections = Number(env.BENCH_CONNECTIONS ?? 16);
const largeMb = Number(env.BENCH_LARGE_MB ?? 256);
const reviewSamples = Number(env.BENCH_REVIEW_SAMPLES ?? 30);
const heldLevels = (env.BENCH_HELD ?? '100,300,600').split(',').map(Number);
const maskingMb = Number(env.BENCH_MASKING_MB ?? 64);
const maskingHugeMb = Number(env.BENCH_MASKING_HUGE_MB ?? 512);
const v8OldSpaceMb = Number(env.BENCH_V8_OLD_SPACE_MB ?? 64);
const logFile = env.BENCH_LOG;
const only = env.BENCH_ONLY === undefined ? null : new Set(env.BENCH_ONLY.split(','));
const wanted = (section: string): boolean => only === null || only.has(section);
const tracePath = '/api/public/traces/langgraph-weather';

function usage(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}
for (const [name, value] of Object.entries({
  BENCH_SECONDS: seconds,
  BENCH_CONNECTIONS: connections,
  BENCH_LARGE_MB: largeMb,
  BENCH_REVIEW_SAMPLES: reviewSamples,
  BENCH_MASKING_MB: maskingMb,
  BENCH_MASKING_HUGE_MB: maskingHugeMb,
  BENCH_V8_OLD_SPACE_MB: v8OldSpaceMb,
})) {
  if (!(Number.isFinite(value) && value > 0)) usage(`${name} must be a positive number`);
}
if (!heldLevels.every((n) => Number.isInteger(n) && n > 0)) {
  usage(`BENCH_HELD must be comma-separated positive integers, got "${env.BENCH_HELD}"`);
}
const sections = ['read', 'large', 'review', 'masking'];
for (const section of only ?? []) {
  if (!sections.includes(section))
    usage(`BENCH_ONLY: unknown section "${section}" (${sections.join(', ')})`);
}

async function startPassthrough(
  originUrl: string,
  persistDir: string,
  inspectorPort: number,
): Promise<RunningGateway> {
  return startGateway({
    port: await findFreePort(),
    persistDir,
    args: [
      '--inspector-port',
      String(inspectorPort),
      '--config',
      path.join(repoRoot, 'bench', 'passthrough', 'wrangler.toml'),
      '--var',
      `ORIGIN_URL:${originUrl}`,
      '--var',
      `ORIGIN_CREDENTIAL:${langfuseCredential}`,
      '--var',
      `ORIGIN_BEARER_TOKEN:${originBearerToken}`,
    ],
  });
}

async function readPath(
  stack: LocalStack,
  passthrough: RunningGateway,
  gatewayUrl: string,
  token: string,
) {
  const basic = `Basic ${Buffer.from(langfuseCredential).toString('base64')}`;
  const load = { seconds, connections };
  console.log(`load: ${connections} connections, ${seconds} s per row, GET ${tracePath} (~116 KB)`);
  const rows: LoadResult[] = [];
  rows.push(
    await runLoad({
      ...load,
      name: 'origin shim, direct',
      url: `${stack.origin.url}${tracePath}`,
      headers: { authorization: basic },
    }),
  );
  rows.push(
    await runLoad({ ...load, name: 'passthrough Worker', url: `${passthrough.url}${tracePath}` }),
  );
  const bearer = { authorization: `Bearer ${token}` };
  rows.push(
    await runLoad({
      ...load,
      name: 'gateway, allowed read, no masking, no recording',
      url: `${gatewayUrl}/bench-bare${tracePath}`,
      headers: bearer,
    }),
  );
  rows.push(
    await runLoad({
      ...load,
      name: 'gateway, allowed read, no masking',
      url: `${gatewayUrl}/bench-plain${tracePath}`,
      headers: bearer,
    }),
  );
  rows.push(
    await runLoad({
      ...load,
      name: 'gateway, allowed read, masked (traces profile)',
      url: `${gatewayUrl}/langfuse${tracePath}`,
      headers: bearer,
    }),
  );
  const baseline = rows[1]?.requestsPerSecond ?? 0;
  printTable(
    'Read path throughput and latency (ratio = req/s relative to the passthrough Worker)',
    ['path', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'bytes/req', 'ratio'],
    rows.map((r) => [
      r.name,
      fixed(r.requestsPerSecond),
      fixed(r.p50),
      fixed(r.p90),
      fixed(r.p99),
      r.errors,
      r.bytesPerRequest,
      baseline === 0 ? 'n/a' : fixed(r.requestsPerSecond / baseline, 2),
    ]),
  );
  const failed = rows.filter((r) => r.errors > 0 || r.requests === 0);
  if (failed.length > 0) {
    throw new Error(`rows with errors: ${failed.map((r) => r.name).join(', ')}`);
  }
}

/** Streams one generated trace through each path; MB/s and workerd's peak RSS. */
async function streamLarge(
  passthrough: { url: string; pgid: number; heap: IsolateHeap },
  gateway: { url: string; pgid: number; heap: IsolateHeap },
  token: string,
) {
  const bytes = largeMb * 1024 * 1024;
  const rows: (string | number)[][] = [];
  let baselineRate = Number.NaN;
  for (const [name, url, worker] of [
    ['passthrough Worker', `${passthrough.url}/generate/json`, passthrough],
    [
      'gateway, allowed read, no masking, not recorded',
      `${gateway.url}/bench-generated-bare`,
      gateway,
    ],
    ['gateway, allowed read, no masking', `${gateway.url}/bench-generated`, gateway],
    ['gateway, allowed read, masked (traces profile)', `${gateway.url}/bench-masked`, gateway],
  ] as const) {
    const before = groupRssMb(worker.pgid);
    let peak = before;
    const heapBefore = await worker.heap.sample();
    let heapPeak = heapBefore;
    let sampling = false;
    let heapError: unknown = null;
    const sampler = setInterval(() => {
      peak = Math.max(peak, groupRssMb(worker.pgid));
      if (sampling) return; // one inspector call at a time
      sampling = true;
      worker.heap
        .sample()
        .then((mb) => (heapPeak = Math.max(heapPeak, mb)))
        .catch((error: unknown) => (heapError ??= error))
        .finally(() => (sampling = false));
    }, 100);
    const started = performance.now();
    let received = 0;
    let lastReport = started;
    try {
      const response = await fetch(`${url}/large-${Date.now()}?bytes=${bytes}&pii=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200 || response.body === null) {
        throw new Error(`${name}: the gateway answered ${response.status}`);
      }
      for await (const chunk of response.body) {
        received += chunk.byteLength;
        const now = performance.now();
        if (now - lastReport > 2000) {
          lastReport = now;
          console.log(`  ${name}: ${(received / 1024 / 1024).toFixed(0)} MB read…`);
        }
      }
    } finally {
      clearInterval(sampler);
    }
    // A peak from only some samples would read lower than it was: no figure then.
    if (heapError !== null)
      throw new Error(`${name}: the isolate heap could not be read`, { cause: heapError });
    const rate = bytes / 1024 / 1024 / ((performance.now() - started) / 1000);
    if (Number.isNaN(baselineRate)) baselineRate = rate;
    rows.push([
      name,
      fixed(bytes / 1024 / 1024, 0),
      fixed(received / 1024 / 1024, 0),
      fixed(rate),
      fixed(rate / baselineRate, 2),
      fixed(heapBefore, 0),
      fixed(heapPeak, 0),
      fixed(before, 0),
      fixed(peak, 0),
    ]);
  }
  printTable(
    `A ${largeMb} MB generated trace, streamed (ratio = MB/s relative to the passthrough Worker; ` +
      'isolate = V8 heap + array buffers of the Worker, sampled every 100 ms, garbage included, ' +
      `workerd V8 flags "${env.MINIFLARE_WORKERD_V8_FLAGS ?? ''}", against the 128 MB isolate limit; ` +
      'RSS = all of workerd, local D1/R2/DO services included)',
    [
      'read',
      'trace MB',
      'served MB',
      'MB/s',
      'ratio',
      'isolate before MB',
      'isolate peak MB',
      'RSS before MB',
      'peak RSS MB',
    ],
    rows,
  );
}

async function reviewFlow(
  gatewayUrl: string,
  pgid: number,
  tokens: { requester: string; reviewer: string; auditor: string },
) {
  const target = {
    gatewayUrl,
    gatewayPgid: pgid,
    tokens,
    log: (line: string) => console.log(line),
  };
  console.log(`review: ${reviewSamples} sequential held reads, each approved through the API…`);
  const latency = await approvalLatency(target, reviewSamples);
  const base = latency[0]?.p50 ?? Number.NaN;
  printTable(
    'Review flow: time to first byte (ms); ratio = p50 relative to the allowed read',
    ['measure', 'samples', 'p50', 'p90', 'p99', 'max', 'ratio'],
    latency.map((r) => [
      r.name,
      r.samples,
      fixed(r.p50),
      fixed(r.p90),
      fixed(r.p99),
      fixed(r.max),
      fixed(r.p50 / base, 2),
    ]),
  );

  const capacity: CapacityRow[] = [];
  for (const held of heldLevels) {
    console.log(`review: holding ${held} reads at once…`);
    capacity.push(await heldCapacity(target, held));
  }
  printTable(
    'Held reads at once (Prefer: wait; one access request and Durable Object each), then all approved',
    [
      'held',
      'all held in s',
      'woken with trace',
      'failed',
      'wake p50 ms',
      'wake p99 ms',
      'peak RSS MB',
    ],
    capacity.map((r) => [
      r.held,
      fixed(r.holdSeconds),
      r.woken,
      r.failed,
      fixed(r.p50),
      fixed(r.p99),
      fixed(r.peakRssMb, 0),
    ]),
  );
  const failed = capacity.filter((r) => r.failed > 0);
  if (failed.length > 0) {
    throw new Error(`held reads failed at levels ${failed.map((r) => r.held).join(', ')}`);
  }
}

/**
 * The masker alone, in a fresh Node process: run after the load sections in
 * this one, its figures came out up to a third lower (heap and GC state).
 */
async function masking(): Promise<void> {
  console.log(
    `masking: the masker alone in a new process, ${maskingMb} MB per row, ${maskingHugeMb} MB streamed…`,
  );
  const child = spawn(process.execPath, [path.join(repoRoot, 'bench/masking.ts')], {
    stdio: 'inherit',
    env: {
      ...env,
      BENCH_MASKING_MB: String(maskingMb),
      BENCH_MASKING_HUGE_MB: String(maskingHugeMb),
    },
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`the masking bench exited with ${String(code)}`);
}

async function main(): Promise<void> {
  // Read by Miniflare in every `wrangler dev` the bench starts (they inherit the environment).
  env.MINIFLARE_WORKERD_V8_FLAGS ??= `--max-old-space-size=${v8OldSpaceMb}`;
  console.log(`workerd V8 flags: ${env.MINIFLARE_WORKERD_V8_FLAGS}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tracegate-bench-'));
  let stack: LocalStack | undefined;
  let passthrough: RunningGateway | undefined;
  try {
    if (wanted('read') || wanted('large') || wanted('review')) {
      console.log('starting the local stack (origin shim, IdP, gateway under wrangler dev)…');
      const gatewayInspector = await findFreePort();
      stack = await startLocalStack({
        persistDir: path.join(scratch, 'gateway'),
        gatewayArgs: ['--inspector-port', String(gatewayInspector)],
        idpKeyFile: null,
        configFile: writeBenchConfig(scratch),
        ...(logFile === undefined
          ? {}
          : { log: (source, line) => appendFileSync(logFile, `[${source}] ${line}\n`) }),
      });
      const gateway = stack.gateway;
      const pgid = gateway?.child.pid;
      if (gateway === undefined || pgid === undefined) throw new Error('the gateway did not start');
      const issuer = stack.idp.issuer;
      const tokens = {
        requester: await getUserToken({ issuer, user: 'alice' }),
        reviewer: await getUserToken({ issuer, user: 'bob' }),
        auditor: await getUserToken({ issuer, user: 'dave' }),
      };
      if (wanted('read') || wanted('large')) {
        console.log('starting the passthrough Worker…');
        const passthroughInspector = await findFreePort();
        passthrough = await startPassthrough(
          stack.origin.url,
          path.join(scratch, 'passthrough'),
          passthroughInspector,
        );
        if (wanted('read')) await readPath(stack, passthrough, gateway.url, tokens.auditor);
        if (wanted('large')) {
          const heaps = [
            await connectIsolateHeap(passthroughInspector),
            await connectIsolateHeap(gatewayInspector),
          ] as const;
          try {
            await streamLarge(
              { url: passthrough.url, pgid: passthrough.child.pid ?? 0, heap: heaps[0] },
              { url: gateway.url, pgid, heap: heaps[1] },
              tokens.requester,
            );
          } finally {
            for (const heap of heaps) heap.close();
          }
        }
        await passthrough.close();
        passthrough = undefined;
      }
      if (wanted('review')) await reviewFlow(gateway.url, pgid, tokens);
      await stack.close();
      stack = undefined;
    }
    if (wanted('masking')) await masking();
  } finally {
    await passthrough?.close();
    await stack?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
