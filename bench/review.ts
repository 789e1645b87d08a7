// Review-flow figures for `npm run bench` (issue 3), against the running
// local stack with bench/bench-config.ts:
//
//   approvalLatency  a reader holds a read with `Prefer: wait=N`; a reviewer
//                    approves through the API; the figure is the time from
//                    sending the approving POST to the first body byte at the
//                    held reader. Sequential samples; the baseline in the same
//                    run is the time to first byte of an allowed read of the
//                    same generated trace with no review in its path.
//   heldCapacity     K readers held at once (each its own access request and
//                    Durable Object); once every request is confirmed created
//                    (its review_created audit row), all are approved and every
//                    reader must receive its whole trace. Reports the time to
//                    hold all K, the wake-up latency under that load, failures,
//                    and the gateway's peak memory (workerd's RSS).
import { readFileSync, readdirSync } from 'node:fs';
import { REVIEW_TRACE_BYTES } from './bench-config.ts';

export interface ReviewBenchTarget {
  gatewayUrl: string;
  /** The gateway's process group (wrangler and the workerd it runs). */
  gatewayPgid: number;
  tokens: { requester: string; reviewer: string; auditor: string };
  log: (line: string) => void;
}

export interface LatencyRow {
  name: string;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CapacityRow {
  held: number;
  holdSeconds: number;
  woken: number;
  failed: number;
  p50: number;
  p99: number;
  peakRssMb: number;
}

const HOLD_SECONDS = 300;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function latencyRow(name: string, values: number[]): LatencyRow {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    name,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Resident memory of the workerd processes in the group, in MB (Linux /proc). */
export function groupRssMb(pgid: number): number {
  const pageBytes = 4096;
  let pages = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start at ") ".
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (command === 'workerd' && Number(fields[2]) === pgid) pages += Number(fields[21]);
    } catch {
      // The process ended while we looked.
    }
  }
  return (pages * pageBytes) / (1024 * 1024);
}

/** A read that resolves its timings: first byte and the whole body. */
interface HeldRead {
  done: Promise<{ status: number; bytes: number; firstByteAt: number; error?: string }>;
}

function startRead(target: ReviewBenchTarget, path: string, holdSeconds: number): HeldRead {
  const done = (async () => {
    try {
      const response = await fetch(`${target.gatewayUrl}${path}`, {
        headers: {
          authorization: `Bearer ${target.tokens.requester}`,
          prefer: `wait=${holdSeconds}`,
        },
      });
      const reader = response.body?.getReader();
      let firstByteAt = Number.NaN;
      let bytes = 0;
      for (;;) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) break;
        if (bytes === 0) firstByteAt = performance.now();
        bytes += chunk.value.byteLength;
      }
      return { status: response.status, bytes, firstByteAt };
    } catch (error) {
      return { status: 0, bytes: 0, firstByteAt: Number.NaN, error: String(error) };
    }
  })();
  return { done };
}

async function api(
  target: ReviewBenchTarget,
  token: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${target.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Reported by the status.
  }
  return { status: response.status, json };
}

interface PendingItem {
  id: string;
  resourceId: string | null;
  namespace: string;
}

/** Up to 100 pending requests the reviewer sees, newest first. */
async function pendingRequests(target: ReviewBenchTarget): Promise<PendingItem[]> {
  const { status, json } = await api(
    target,
    target.tokens.reviewer,
    '/v1/requests?status=pending&limit=100',
  );
  if (status !== 200) throw new Error(`listing pending requests answered ${status}`);
  return ((json as { requests: PendingItem[] }).requests ?? []).filter(
    (item) => item.namespace === 'bench-review',
  );
}

async function approve(target: ReviewBenchTarget, id: string): Promise<void> {
  const { status, json } = await api(
    target,
    target.tokens.reviewer,
    `/v1/requests/${id}/approve`,
    'POST',
  );
  if (status !== 200)
    throw new Error(`approving ${id} answered ${status}: ${JSON.stringify(json)}`);
}

async function waitFor<T>(what: string, deadline: number, probe: () => Promise<T | null>) {
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Time to first byte of a read that needs no review (the baseline). */
async function firstByteMs(target: ReviewBenchTarget, path: string): Promise<number> {
  const started = performance.now();
  const read = startRead(target, path, 0);
  const result = await read.done;
  if (result.status !== 200 || result.bytes !== REVIEW_TRACE_BYTES) {
    throw new Error(`baseline read ${path} answered ${result.status} with ${result.bytes} bytes`);
  }
  return result.firstByteAt - started;
}

export async function approvalLatency(
  target: ReviewBenchTarget,
  samples: number,
): Promise<LatencyRow[]> {
  const run = `lat-${Date.now().toString(36)}`;
  const baseline: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    baseline.push(
      await firstByteMs(target, `/bench-generated/${run}-${i}?bytes=${REVIEW_TRACE_BYTES}`),
    );
  }
  const woken: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const traceId = `${run}-${i}`;
    const read = startRead(target, `/bench-review/${traceId}?bytes=${REVIEW_TRACE_BYTES}`, 60);
    const pending = await waitFor(
      `the access request for ${traceId}`,
      Date.now() + 30_000,
      async () =>
        (await pendingRequests(target)).find((item) => item.resourceId === traceId) ?? null,
    );
    const approvedAt = performance.now();
    await approve(target, pending.id);
    const result = await read.done;
    if (result.status !== 200 || result.bytes !== REVIEW_TRACE_BYTES) {
      throw new Error(`held read ${traceId} answered ${result.status}, ${result.bytes} bytes`);
    }
    woken.push(result.firstByteAt - approvedAt);
  }
  return [
    latencyRow('allowed read, request → first byte (baseline)', baseline),
    latencyRow('held read, approving POST sent → first byte', woken),
  ];
}

/** review_created audit rows for bench-review since `from` (ms), counted through the audit API. */
async function createdSince(target: ReviewBenchTarget, from: number): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      event: 'review_created',
      namespace: 'bench-review',
      from: String(from),
      limit: '1000',
      ...(cursor === null ? {} : { cursor }),
    });
    const { status, json } = await api(target, target.tokens.auditor, `/v1/audit?${query}`);
    if (status !== 200) throw new Error(`the audit API answered ${status}`);
    const page = json as { events: unknown[]; nextCursor: string | null };
    count += page.events.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

export async function heldCapacity(target: ReviewBenchTarget, held: number): Promise<CapacityRow> {
  const run = `cap${held}-${Date.now().toString(36)}`;
  const from = Date.now() - 1000;
  let peakRssMb = groupRssMb(target.gatewayPgid);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, groupRssMb(target.gatewayPgid));
  }, 200);
  try {
    const started = performance.now();
    const reads = new Map<string, HeldRead>();
    for (let i = 0; i < held; i += 1) {
      const traceId = `${run}-${i}`;
      reads.set(
        traceId,
        startRead(target, `/bench-review/${traceId}?bytes=${REVIEW_TRACE_BYTES}`, HOLD_SECONDS),
      );
    }
    await waitFor(`${held} access requests`, Date.now() + 120_000, async () =>
      (await createdSince(target, from)) >= held ? true : null,
    );
    const holdSeconds = (performance.now() - started) / 1000;
    target.log(`  ${held} reads held (${holdSeconds.toFixed(1)} s); approving them all…`);

    const approvedAt = new Map<string, number>();
    const deadline = Date.now() + 180_000;
    while (approvedAt.size < held) {
      const batch = (await pendingRequests(target)).filter(
        (item) => item.resourceId !== null && reads.has(item.resourceId),
      );
      if (batch.length === 0) {
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      // Approve with bounded concurrency, like a few reviewers clicking at once.
      const queue = [...batch];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
            approvedAt.set(item.resourceId ?? '', performance.now());
            await approve(target, item.id);
          }
        }),
      );
    }

    const latencies: number[] = [];
    let woken = 0;
    let failed = 0;
    for (const [traceId, read] of reads) {
      const result = await read.done;
      const at = approvedAt.get(traceId);
      if (result.status === 200 && result.bytes === REVIEW_TRACE_BYTES && at !== undefined) {
        woken += 1;
        latencies.push(result.firstByteAt - at);
      } else {
        failed += 1;
        if (failed <= 3) {
          target.log(
            `  ${traceId}: status ${result.status}, ${result.bytes} bytes ${result.error ?? ''}`,
          );
        }
      }
    }
    const sorted = latencies.sort((a, b) => a - b);
    return {
      held,
      holdSeconds,
      woken,
      failed,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      peakRssMb,
    };
  } finally {
    clearInterval(sampler);
  }
}
