// The reviewer and auditor commands end to end: requests, approve, deny,
// cancel, audit — the real CLI process against the scripted gateway.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracegateClient } from '../../sdk/index.ts';
import { ScriptedGateway } from './support/scripted-gateway.ts';
import { runCli } from './support/run-cli.ts';

let gateway: ScriptedGateway;
let bob: Record<string, string>;
let alice: Record<string, string>;

beforeEach(async () => {
  gateway = await ScriptedGateway.start({ holdReads: false });
  gateway.traces.set('/secure/api/public/traces/t1', {
    body: '{}',
    review: { approvalsRequired: 1 },
  });
  alice = { TRACEGATE_URL: gateway.url, TRACEGATE_TOKEN: gateway.mintToken('alice') };
  bob = { TRACEGATE_URL: gateway.url, TRACEGATE_TOKEN: gateway.mintToken('bob') };
});

afterEach(async () => {
  await gateway.close();
});

/** Alice asks for a trace and gives up at once, leaving the request pending. */
async function pendingRequest(): Promise<string> {
  const client = createTracegateClient({
    baseUrl: gateway.url,
    token: alice.TRACEGATE_TOKEN ?? '',
  });
  await client
    .readTrace({
      namespace: 'secure',
      traceId: 't1',
      justification: 'INC-9: wrong tool output',
      waitSeconds: 0,
      deadline: 50,
    })
    .catch(() => undefined);
  const [id] = gateway.accessRequests.keys();
  if (id === undefined) throw new Error('no access request');
  return id;
}

describe('tracegate requests', () => {
  it('lists pending requests as a table', async () => {
    const id = await pendingRequest();
    const result = await runCli(['requests'], bob);
    expect(result.code).toBe(0);
    const [header, row, extra] = result.stdout.toString().trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+REQUESTER\s+WHAT\s+APPROVALS\s+EXPIRES\s+REASON$/);
    expect(row).toMatch(
      new RegExp(
        `^${id}\\s+pending\\s+alice@example.com\\s+secure /secure/api/public/traces/t1\\s+0/1\\s+in 1[45]m( \\d+s)?\\s+INC-9: wrong tool output$`,
      ),
    );
    expect(extra).toBeUndefined();
    expect(gateway.requests.at(-1)?.query.get('status')).toBe('pending');
  });

  it('prints JSON with --format json, and says so when there is nothing', async () => {
    const empty = await runCli(['requests'], bob);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toBe('tracegate: no pending access requests\n');
    const id = await pendingRequest();
    const json = await runCli(['requests', '--status', 'all', '--format', 'json'], bob);
    expect((JSON.parse(json.stdout.toString()) as { id: string }[]).map((r) => r.id)).toEqual([id]);
    expect(gateway.requests.at(-1)?.query.has('status')).toBe(false);
  });
});

describe('tracegate approve | deny | cancel', () => {
  it('approves with --for as grantSeconds and a reason', async () => {
    const id = await pendingRequest();
    const result = await runCli(['approve', id, '--for', '1h', '--reason', 'on call'], bob);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(`Approved ${id}: status approved, approvals 1/1\n`);
    expect(gateway.accessRequests.get(id)?.status).toBe('approved');
    expect(gateway.requests.at(-1)?.path).toBe(`/v1/requests/${id}/approve`);
    expect(JSON.parse(gateway.requests.at(-1)?.body ?? '')).toEqual({
      grantSeconds: 3600,
      reason: 'on call',
    });
  });

  it('refuses a self-approval with exit 3 and the gateway message', async () => {
    const id = await pendingRequest();
    const result = await runCli(['approve', id], alice);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /Self-approval refused: Requesters cannot decide their own requests\. \(self_approval, req_\w+\)/,
    );
  });

  it('denies with a reason; without one it is a usage error', async () => {
    const id = await pendingRequest();
    const missing = await runCli(['deny', id], bob);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--reason is required');
    const result = await runCli(['deny', id, '--reason', 'not for this incident'], bob);
    expect(result.code).toBe(0);
    expect(gateway.accessRequests.get(id)?.denyReason).toBe('not for this incident');
  });

  it('exits 1 on a decision for a request that is already decided (409)', async () => {
    const id = await pendingRequest();
    await runCli(['deny', id, '--reason', 'no'], bob);
    const result = await runCli(['approve', id], bob);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(review_conflict, ');
  });

  it('cancels the requester’s own request', async () => {
    const id = await pendingRequest();
    const result = await runCli(['cancel', id], alice);
    expect(result.code).toBe(0);
    expect(gateway.accessRequests.get(id)?.status).toBe('cancelled');
  });
});

describe('tracegate audit', () => {
  beforeEach(() => {
    for (let i = 0; i < 5; i += 1) {
      gateway.auditEvents.push({
        at: Date.UTC(2026, 10, 24, 8, 0, i),
        event: 'decision',
        actorEmail: `user${i}@example.com`,
        namespace: 'secure',
        resourceId: `t${i}`,
        decision: 'allow',
        ruleId: 'r1',
      });
    }
  });

  it('shows a table across cursor pages, with the filters sent', async () => {
    const result = await runCli(
      [
        'audit',
        '--from',
        '2026-11-24T00:00:00Z',
        '--to',
        '24h',
        '--namespace',
        'secure',
        '--actor',
        'alice',
      ],
      bob,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^TIME\s+EVENT\s+ACTOR\s+NAMESPACE\s+RESOURCE\s+DECISION\s+RULE\s+STATUS$/,
    );
    expect(lines[1]).toMatch(
      /^2026-11-24T08:00:00Z\s+decision\s+user0@example.com\s+secure\s+t0\s+allow\s+r1\s+-$/,
    );
    expect(lines).toHaveLength(6);
    const query = gateway.requestsTo('/v1/audit')[0]?.query;
    expect(query?.get('from')).toBe('2026-11-24T00:00:00.000Z');
    expect(query?.get('namespace')).toBe('secure');
    expect(query?.get('actor')).toBe('alice');
  });

  it('streams an NDJSON or CSV export to stdout or, atomically, to a file', async () => {
    const ndjson = await runCli(['audit', '--format', 'ndjson'], bob);
    expect(ndjson.code).toBe(0);
    expect(
      ndjson.stdout
        .toString()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event: string }).event),
    ).toHaveLength(5);
    const dir = await mkdtemp(path.join(tmpdir(), 'tracegate-audit-'));
    try {
      const file = path.join(dir, 'audit.csv');
      const csv = await runCli(['audit', '--format', 'csv', '-o', file], bob);
      expect(csv.code).toBe(0);
      expect((await readFile(file, 'utf8')).split('\n')[0]).toBe('at,event,actor');
      expect(await readdir(dir)).toEqual(['audit.csv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a date that is neither a date nor a duration', async () => {
    const result = await runCli(['audit', '--from', 'yesterday-ish'], bob);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--from: "yesterday-ish" is neither a date nor a duration');
  });
});

describe('help', () => {
  it('lists the commands, the environment and every exit code', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    const text = result.stdout.toString();
    for (const command of ['get', 'requests', 'approve', 'deny', 'cancel', 'audit'])
      expect(text).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7])
      expect(text).toMatch(new RegExp(`^  ${code}  `, 'm'));
    expect(text).toContain('TRACEGATE_TOKEN_COMMAND');
  });

  it.each(['get', 'requests', 'approve', 'deny', 'cancel', 'audit'])(
    '%s --help prints its usage and exits 0',
    async (command) => {
      const result = await runCli([command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout.toString()).toMatch(new RegExp(`^Usage: tracegate ${command}`));
    },
  );
});
