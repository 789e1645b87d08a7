// Tamper evidence of the audit log against a real local D1: each kind of
// tampering (altering a field, deleting, inserting, reordering rows, touching
// a checkpoint) is found, and the verifier names the first bad seq.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyD1AuditLog, writeCheckpoints } from '../../worker/audit/audit-chain-d1.ts';
import { createD1AuditLog } from '../../worker/audit/audit-log.ts';
import { auditMacKey } from '../../worker/audit/mac-key.ts';
import { createApp } from '../../worker/app.ts';
import { GatewayError } from '../../worker/http/errors.ts';
import { appFor, bearer, createHarness, type Harness } from './recording-harness.ts';

let key: CryptoKey;
let harness: Harness;
let clock = Date.UTC(2026, 10, 20, 12, 0, 0);
const now = () => clock;

beforeAll(async () => {
  const result = await auditMacKey(env);
  if (!result.ok) throw new Error(result.reason);
  key = result.key;
  harness = await createHarness();
});

async function sql(statement: string, ...values: unknown[]): Promise<void> {
  await env.AUDIT_DB.prepare(statement)
    .bind(...values)
    .run();
}

/** A row written straight into D1, without a MAC (as a script without the key would). */
function insertUnsignedRow(): Promise<void> {
  return sql(
    "INSERT INTO audit_events (event_id, at, event, request_id) VALUES ('bare', ?, 'decision', 'r-bare')",
    clock,
  );
}

async function writeRows(count: number): Promise<void> {
  const log = createD1AuditLog(env.AUDIT_DB, now, env);
  for (let i = 0; i < count; i++) {
    clock += 1000;
    await log.write({
      event: 'decision',
      requestId: crypto.randomUUID(),
      namespace: 'lf',
      decision: i % 2 === 0 ? 'allow' : 'deny',
      ruleId: `rule-${i}`,
      reason: `row ${i}`,
    });
  }
}

const verify = () => verifyD1AuditLog(env.AUDIT_DB, key);

beforeEach(async () => {
  await sql('DELETE FROM audit_events');
  await sql('DELETE FROM audit_checkpoints');
  await sql("DELETE FROM sqlite_sequence WHERE name IN ('audit_events', 'audit_checkpoints')");
  // Rows 1..10 sealed by three checkpoints (1..4, 5..8, 9..10); rows 11..13 not yet sealed.
  await writeRows(10);
  const sealed = await writeCheckpoints(env.AUDIT_DB, key, now, { maxRowsPerCheckpoint: 4 });
  expect(sealed).toMatchObject({
    kind: 'sealed',
    checkpoints: [{ upToSeq: 4 }, { upToSeq: 8 }, { upToSeq: 10 }],
  });
  await writeRows(3);
});

describe('an untouched audit log', () => {
  it('verifies, and reports what checkpoints cover', async () => {
    expect(await verify()).toEqual({
      ok: true,
      rows: 13,
      checkpoints: 3,
      sealedUpToSeq: 10,
      unsealedRows: 3,
      exceptions: [],
    });
  });

  it('a later checkpoint seals the new rows and links to the previous one', async () => {
    const result = await writeCheckpoints(env.AUDIT_DB, key, now);
    expect(result).toMatchObject({ kind: 'sealed', checkpoints: [{ fromSeq: 11, upToSeq: 13 }] });
    expect(await verify()).toMatchObject({ ok: true, sealedUpToSeq: 13, unsealedRows: 0 });
  });
});

describe('text that is not well-formed', () => {
  it('a lone surrogate in a claim or a reason still verifies and gets sealed', async () => {
    // Anyone can put half a character into a token claim (or a JSON reason):
    // stored as U+FFFD by D1, it must not leave a row whose MAC never matches.
    await createD1AuditLog(env.AUDIT_DB, now, env).write({
      event: 'auth_failed',
      requestId: crypto.randomUUID(),
      decision: 'unauthenticated',
      reason: `bad_issuer: ${'a'.repeat(5)}\ud83d`,
      principal: {
        issuerId: 't',
        issuer: 'x\udc00',
        subject: '\ud800',
        email: undefined,
        groups: [],
        tokenId: undefined,
        issuedAt: undefined,
      },
    });
    expect(await verify()).toMatchObject({ ok: true, rows: 14 });
    const sealed = await writeCheckpoints(env.AUDIT_DB, key, now);
    expect(sealed).toMatchObject({ kind: 'sealed', checkpoints: [{ fromSeq: 11, upToSeq: 14 }] });
    expect(await verify()).toMatchObject({ ok: true, unsealedRows: 0 });
  });
});

describe('tampering is detected at the first bad seq', () => {
  it('a changed field in a sealed row', async () => {
    await sql("UPDATE audit_events SET decision = 'allow' WHERE seq = 6");
    expect(await verify()).toMatchObject({ ok: false, seq: 6, reason: 'altered', rows: 5 });
  });

  it('a changed field in a row after the last checkpoint', async () => {
    await sql("UPDATE audit_events SET actor_subject = 'someone-else' WHERE seq = 12");
    expect(await verify()).toMatchObject({ ok: false, seq: 12, reason: 'altered' });
  });

  it('a MAC recomputed without the key does not help', async () => {
    await sql(
      "UPDATE audit_events SET reason = 'nothing to see', mac = ? WHERE seq = 2",
      'f'.repeat(64),
    );
    expect(await verify()).toMatchObject({ ok: false, seq: 2, reason: 'altered' });
  });

  it('a deleted sealed row', async () => {
    await sql('DELETE FROM audit_events WHERE seq = 3');
    expect(await verify()).toMatchObject({ ok: false, seq: 3, reason: 'missing_rows' });
  });

  it('a deleted row after the last checkpoint', async () => {
    await sql('DELETE FROM audit_events WHERE seq = 11');
    expect(await verify()).toMatchObject({ ok: false, seq: 11, reason: 'missing_rows' });
  });

  it('deleted sealed rows at the end of the log', async () => {
    await sql('DELETE FROM audit_events WHERE seq >= 9');
    expect(await verify()).toMatchObject({ ok: false, seq: 9, reason: 'missing_rows' });
  });

  it('an inserted row (forged MAC)', async () => {
    await sql(
      `INSERT INTO audit_events (event_id, at, event, request_id, decision, mac)
       VALUES ('forged', ?, 'decision', 'r-forged', 'allow', ?)`,
      clock,
      'a'.repeat(64),
    );
    expect(await verify()).toMatchObject({ ok: false, seq: 14, reason: 'altered' });
  });

  it('an inserted row without a MAC', async () => {
    await insertUnsignedRow();
    expect(await verify()).toMatchObject({ ok: false, seq: 14, reason: 'unsigned' });
  });

  it('two sealed rows swapped (each keeps its valid MAC)', async () => {
    await sql('UPDATE audit_events SET seq = -5 WHERE seq = 5');
    await sql('UPDATE audit_events SET seq = 5 WHERE seq = 6');
    await sql('UPDATE audit_events SET seq = 6 WHERE seq = -5');
    expect(await verify()).toMatchObject({ ok: false, seq: 5, reason: 'misplaced' });
  });

  it('a sealed row replaced by a copy of another row', async () => {
    await sql('DELETE FROM audit_events WHERE seq = 7');
    await sql(
      `INSERT INTO audit_events SELECT 7, event_id || '-copy', at, event, request_id, session_id,
         access_request_id, actor_issuer, actor_subject, actor_email, actor_groups, namespace, method, path,
         resource_id, decision, rule_id, reason, upstream_status, status, bytes, duration_ms, sha256,
         mask_counts, recording_key, mac
       FROM audit_events WHERE seq = 8`,
    );
    // The copy needs a new event_id (unique), which its MAC does not cover.
    expect(await verify()).toMatchObject({ ok: false, seq: 7, reason: 'altered' });
  });

  it('a deleted checkpoint in the middle of the chain', async () => {
    await sql('DELETE FROM audit_checkpoints WHERE from_seq = 5');
    expect(await verify()).toMatchObject({ ok: false, seq: 5, reason: 'checkpoint_invalid' });
  });

  it('an edited checkpoint', async () => {
    // One hex digit changed, whatever it was (replacing a '0' by '0' would change nothing).
    await sql(
      `UPDATE audit_checkpoints
       SET row_tags = (CASE substr(row_tags, 1, 1) WHEN '0' THEN '1' ELSE '0' END) || substr(row_tags, 2)
       WHERE from_seq = 1`,
    );
    expect(await verify()).toMatchObject({ ok: false, seq: 1, reason: 'checkpoint_invalid' });
  });
});

describe('checkpointing and the API', () => {
  it('seals the good rows before one that no longer verifies, and stops there', async () => {
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 12");
    const result = await writeCheckpoints(env.AUDIT_DB, key, now);
    expect(result).toMatchObject({
      kind: 'refused',
      seq: 12,
      reason: 'the row MAC does not verify',
      sealed: [{ fromSeq: 11, upToSeq: 11 }],
    });
    expect(
      await env.AUDIT_DB.prepare('SELECT count(*) AS n FROM audit_checkpoints').first('n'),
    ).toBe(4);
    // Every later run stops at the same row until someone acknowledges it.
    expect(await writeCheckpoints(env.AUDIT_DB, key, now)).toMatchObject({
      kind: 'refused',
      seq: 12,
      sealed: [],
    });
  });

  it('GET /v1/audit/verify reports the first bad seq; POST /v1/audit/checkpoints seals on demand', async () => {
    const auditor = await harness.auditorToken();
    const call = async (method: string, path: string) => {
      const ctx = createExecutionContext();
      const response = await appFor(harness).request(
        `https://gateway.test${path}`,
        { ...bearer(auditor), method },
        env,
        ctx,
      );
      const body = (await response.json()) as Record<string, unknown>;
      await waitOnExecutionContext(ctx);
      return { status: response.status, body };
    };
    const sealed = await call('POST', '/v1/audit/checkpoints');
    // The auditor's own access row (14) is written before the handler runs, so it is sealed too.
    expect(sealed).toMatchObject({
      status: 200,
      body: { kind: 'sealed', checkpoints: [{ fromSeq: 11, upToSeq: 14 }] },
    });
    expect(await call('GET', '/v1/audit/verify')).toMatchObject({
      status: 200,
      body: { ok: true, rows: 15 },
    });
    await sql('UPDATE audit_events SET status = 200 WHERE seq = 4');
    expect(await call('GET', '/v1/audit/verify')).toMatchObject({
      status: 200,
      body: { ok: false, seq: 4, reason: 'altered' },
    });
  });
});

describe('acknowledging through the API', () => {
  const post = async (body: unknown, token?: string) => {
    const ctx = createExecutionContext();
    const response = await appFor(harness).request(
      'https://gateway.test/v1/audit/checkpoints',
      {
        method: 'POST',
        headers: {
          ...bearer(token ?? (await harness.auditorToken())).headers,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      },
      env,
      ctx,
    );
    const json = (await response.json()) as Record<string, unknown>;
    await waitOnExecutionContext(ctx);
    return { status: response.status, json, requestId: response.headers.get('x-request-id') };
  };
  const rowsOf = async (requestId: string | null) =>
    (
      await env.AUDIT_DB.prepare(
        "SELECT * FROM audit_events WHERE request_id = ? AND event = 'checkpoint_exception'",
      )
        .bind(requestId)
        .all<Record<string, unknown>>()
    ).results;

  it('seals the acknowledged range, names the auditor in it, and audits who did it', async () => {
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 12");
    const refused = await post({});
    expect(refused).toMatchObject({ status: 409, json: { kind: 'refused', seq: 12 } });

    const wrong = await post({ acknowledge: { seq: 13, note: 'not the bad one' } });
    expect(wrong).toMatchObject({ status: 409, json: { kind: 'refused', seq: 12 } });
    expect(await rowsOf(wrong.requestId)).toMatchObject([
      { decision: 'requested', resource_id: '13', reason: 'acknowledge seq 13: not the bad one' },
      { decision: 'refused' },
    ]);

    const done = await post({ acknowledge: { seq: 12, note: 'INC-88' } });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      kind: 'sealed',
      checkpoints: expect.arrayContaining([
        expect.objectContaining({ fromSeq: 12, upToSeq: 12, exception: 'altered' }),
      ]),
    });
    const exception = await env.AUDIT_DB.prepare(
      'SELECT exception FROM audit_checkpoints WHERE from_seq = 12',
    ).first<{ exception: string }>();
    const acknowledged = JSON.parse(exception?.exception ?? '{}') as Record<string, string>;
    expect(acknowledged).toMatchObject({ reason: 'altered', note: 'INC-88' });
    expect(acknowledged.by).toMatch(/ dave$/);
    expect(await rowsOf(done.requestId)).toMatchObject([
      { decision: 'requested', resource_id: '12', reason: 'acknowledge seq 12: INC-88' },
      { decision: 'sealed', resource_id: '12', reason: 'altered 12..12: INC-88' },
    ]);
    expect(await verify()).toMatchObject({ ok: true, exceptions: [{ fromSeq: 12 }] });

    // Nothing bad left: acknowledging again is refused, not silently accepted.
    const again = await post({ acknowledge: { seq: 12, note: 'twice' } });
    expect(again).toMatchObject({ status: 409, json: { kind: 'refused', seq: 12 } });
  });

  it('seals nothing when the acknowledgement cannot be audited first', async () => {
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 12");
    const d1 = createD1AuditLog(env.AUDIT_DB, now, env);
    const app = createApp({
      config: harness.config,
      jwksFetch: harness.idp.jwksFetch,
      auditLog: () => ({
        write: async (event) => {
          if (event.event === 'checkpoint_exception')
            throw new GatewayError('audit_unavailable', { cause: new Error('D1 is down') });
          await d1.write(event);
        },
      }),
    });
    const ctx = createExecutionContext();
    const response = await app.request(
      'https://gateway.test/v1/audit/checkpoints',
      {
        method: 'POST',
        headers: {
          ...bearer(await harness.auditorToken()).headers,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ acknowledge: { seq: 12, note: 'INC-89' } }),
      },
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'audit_unavailable' });
    expect(
      await env.AUDIT_DB.prepare('SELECT count(*) AS n FROM audit_checkpoints').first('n'),
    ).toBe(3);
    expect(await verify()).toMatchObject({ ok: false, seq: 12, reason: 'altered' });
  });

  it('refuses an acknowledgement from someone who is not an auditor, and seals nothing', async () => {
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 12");
    const visitor = await post(
      { acknowledge: { seq: 12, note: 'cover it up' } },
      await harness.visitorToken(),
    );
    expect(visitor.status).toBe(403);
    expect(
      await env.AUDIT_DB.prepare('SELECT count(*) AS n FROM audit_checkpoints').first('n'),
    ).toBe(3);
    expect(await verify()).toMatchObject({ ok: false, seq: 12, reason: 'altered' });
  });

  it('refuses a malformed acknowledgement before sealing anything', async () => {
    for (const body of [
      { acknowledge: { seq: 12 } },
      { acknowledge: { seq: 12, note: 'line\nbreak' } },
      { acknowledge: { seq: -1, note: 'x' } },
    ]) {
      expect(await post(body)).toMatchObject({ status: 400, json: { code: 'bad_request' } });
    }
    expect(
      await env.AUDIT_DB.prepare('SELECT count(*) AS n FROM audit_checkpoints').first('n'),
    ).toBe(3);
  });
});

describe('acknowledged exceptions let sealing go on past a bad range', () => {
  const by = 'https://idp.test dave';
  const seal = (acknowledge?: { seq: number; note: string }) =>
    writeCheckpoints(
      env.AUDIT_DB,
      key,
      now,
      acknowledge === undefined ? {} : { acknowledge: { ...acknowledge, by } },
    );

  it('an altered row, sealed as found: verification lists it, and catches a second edit', async () => {
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 12");
    expect(await seal()).toMatchObject({ kind: 'refused', seq: 12 });
    // Acknowledging another seq changes nothing.
    expect(await seal({ seq: 13, note: 'wrong row' })).toMatchObject({ kind: 'refused', seq: 12 });
    const result = await seal({ seq: 12, note: 'INC-88: edited from the D1 console' });
    expect(result).toMatchObject({
      kind: 'sealed',
      checkpoints: [
        { fromSeq: 12, upToSeq: 12, exception: 'altered' },
        { fromSeq: 13, upToSeq: 13 },
      ],
    });
    expect(await verify()).toEqual({
      ok: true,
      rows: 13,
      checkpoints: 6,
      sealedUpToSeq: 13,
      unsealedRows: 0,
      exceptions: [
        {
          fromSeq: 12,
          upToSeq: 12,
          reason: 'altered',
          note: 'INC-88: edited from the D1 console',
          by,
        },
      ],
    });
    // The acknowledgement covers the row as it was found, not whatever it becomes.
    await sql("UPDATE audit_events SET reason = 'edited again' WHERE seq = 12");
    expect(await verify()).toMatchObject({ ok: false, seq: 12, reason: 'altered' });
  });

  it('missing rows: the acknowledged range must stay empty', async () => {
    await sql('DELETE FROM audit_events WHERE seq IN (11, 12)');
    expect(await seal()).toMatchObject({ kind: 'refused', seq: 11, reason: 'rows are missing' });
    expect(await seal({ seq: 11, note: 'lost in a restore' })).toMatchObject({
      kind: 'sealed',
      checkpoints: [{ fromSeq: 11, upToSeq: 12, exception: 'missing_rows' }, { fromSeq: 13 }],
    });
    expect(await verify()).toMatchObject({
      ok: true,
      rows: 11,
      sealedUpToSeq: 13,
      exceptions: [{ fromSeq: 11, upToSeq: 12, reason: 'missing_rows' }],
    });
    // A row slipped into the acknowledged gap later is found.
    await sql(
      `INSERT INTO audit_events (seq, event_id, at, event, request_id, mac)
       VALUES (12, 'slipped-in', ?, 'decision', 'r-x', ?)`,
      clock,
      'b'.repeat(64),
    );
    expect(await verify()).toMatchObject({ ok: false, seq: 12, reason: 'misplaced' });
  });

  it('an unsigned row, then sealing goes on with the rows after it', async () => {
    await insertUnsignedRow();
    await writeRows(2);
    expect(await seal({ seq: 14, note: 'written by a script without the key' })).toMatchObject({
      kind: 'sealed',
      checkpoints: [
        { fromSeq: 11, upToSeq: 13 },
        { fromSeq: 14, upToSeq: 14, exception: 'unsigned' },
        { fromSeq: 15, upToSeq: 16 },
      ],
    });
    expect(await verify()).toMatchObject({
      ok: true,
      rows: 16,
      sealedUpToSeq: 16,
      exceptions: [{ fromSeq: 14, reason: 'unsigned' }],
    });
  });

  it('an exception checkpoint written without the key does not verify', async () => {
    // Someone with D1 access but not AUDIT_MAC_KEY tries to paper over an edit.
    await sql("UPDATE audit_events SET reason = 'edited' WHERE seq = 11");
    const last = await env.AUDIT_DB.prepare(
      'SELECT hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
    ).first<{ hash: string }>();
    await sql(
      `INSERT INTO audit_checkpoints (from_seq, up_to_seq, row_count, chain_hash, row_tags, prev_hash, hash, created_at, mac, exception)
       VALUES (11, 11, 1, ?, '', ?, ?, ?, ?, ?)`,
      'c'.repeat(64),
      last?.hash ?? '',
      'd'.repeat(64),
      clock,
      'e'.repeat(64),
      JSON.stringify({ reason: 'altered', note: 'nothing to see', by }),
    );
    expect(await verify()).toMatchObject({ ok: false, seq: 11, reason: 'checkpoint_invalid' });
  });
});
