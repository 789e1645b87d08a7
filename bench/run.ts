// `npm run bench`: starts the real local stack and measures, in one run,
// the origin directly, a passthrough Worker on the same runtime (no auth, no
// audit: bench/passthrough/), and the gateway's allowed path, then prints a
// table with each row's ratio to the passthrough Worker.
//
// BENCH_SECONDS (default 8) and BENCH_CONNECTIONS (default 16) tune a run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../local-dev/http-server.ts';
import { startGateway, type RunningGateway } from '../local-dev/gateway-process.ts';
import { getUserToken } from '../local-dev/idp/get-token.ts';
import { langfuseCredential } from '../local-dev/origin-shim/credentials.ts';
import { repoRoot } from '../local-dev/paths.ts';
import { startLocalStack, type LocalStack } from '../local-dev/stack.ts';
import { runLoad, type LoadResult } from './load.ts';
import { fixed, printTable } from './table.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const tracePath = '/api/public/traces/langgraph-weather';

async function startPassthrough(originUrl: string, persistDir: string): Promise<RunningGateway> {
  return startGateway({
    port: await findFreePort(),
    persistDir,
    args: [
      '--config',
      path.join(repoRoot, 'bench', 'passthrough', 'wrangler.toml'),
      '--var',
      `ORIGIN_URL:${originUrl}`,
      '--var',
      `ORIGIN_CREDENTIAL:${langfuseCredential}`,
    ],
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tracegate-bench-'));
  let stack: LocalStack | undefined;
  let passthrough: RunningGateway | undefined;
  try {
    console.log('starting the local stack (origin shim, IdP, gateway under wrangler dev)…');
    stack = await startLocalStack({ persistDir: path.join(scratch, 'gateway'), idpKeyFile: null });
    const gateway = stack.gateway;
    if (gateway === undefined) throw new Error('the gateway did not start');
    console.log('starting the passthrough Worker…');
    passthrough = await startPassthrough(stack.origin.url, path.join(scratch, 'passthrough'));
    const token = await getUserToken({ issuer: stack.idp.issuer, user: 'dave' });
    const basic = `Basic ${Buffer.from(langfuseCredential).toString('base64')}`;

    const load = { seconds, connections };
    console.log(
      `load: ${connections} connections, ${seconds} s per row, GET ${tracePath} (${'~116 KB'})`,
    );
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
    rows.push(
      await runLoad({
        ...load,
        name: 'gateway, allowed read',
        url: `${gateway.url}/langfuse${tracePath}`,
        headers: { authorization: `Bearer ${token}` },
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
