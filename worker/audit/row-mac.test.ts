// The audit row MAC covers every column, separates rows unambiguously, and
// its key fails closed outside explicit local development.
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { toRow } from './audit-log.ts';
import { auditMacSecret, DEV_AUDIT_MAC_KEY } from './mac-key.ts';
import { canonicalRow, importMacKey, MAC_FIELDS, rowMac } from './row-mac.ts';
import { auditEvents } from './schema.ts';

describe('the row MAC', () => {
  it('covers every audit_events column except seq (assigned by D1) and mac itself', () => {
    const columns = Object.keys(getTableColumns(auditEvents)).filter(
      (c) => c !== 'seq' && c !== 'mac',
    );
    expect([...MAC_FIELDS].sort()).toEqual(columns.sort());
  });

  it('changes when any covered field changes, and null differs from an empty string', async () => {
    const key = await importMacKey('k'.repeat(32));
    const row = toRow({ event: 'decision', requestId: 'r1', reason: null, bytes: 10 }, 1000);
    const base = await rowMac(key, row);
    expect(await rowMac(key, { ...row })).toBe(base);
    for (const changed of [{ bytes: 11 }, { reason: '' }, { at: 1001 }, { eventId: 'other' }]) {
      expect(await rowMac(key, { ...row, ...changed })).not.toBe(base);
    }
    expect(await rowMac(await importMacKey('j'.repeat(32)), row)).not.toBe(base);
  });

  it('has one encoding per row: a comma inside a value cannot shift fields', () => {
    const a = toRow({ event: 'decision', requestId: 'a","b' }, 1);
    const b = toRow({ event: 'decision', requestId: 'a', sessionId: 'b' }, 1);
    expect(canonicalRow({ ...a, eventId: 'e' })).not.toBe(canonicalRow({ ...b, eventId: 'e' }));
  });
});

describe('the MAC key', () => {
  it('is the AUDIT_MAC_KEY secret when it is long enough', () => {
    expect(auditMacSecret({ AUDIT_MAC_KEY: 'x'.repeat(32) })).toEqual({
      ok: true,
      secret: 'x'.repeat(32),
      development: false,
    });
  });

  it('fails closed when the secret is missing or short, even with the development switch on', () => {
    expect(auditMacSecret({})).toMatchObject({ ok: false, reason: 'AUDIT_MAC_KEY is not set' });
    expect(auditMacSecret({ AUDIT_MAC_KEY: 'short', TRACEGATE_LOCAL_DEV: '1' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('shorter'),
    });
    expect(auditMacSecret({ TRACEGATE_LOCAL_DEV: 'true' })).toMatchObject({ ok: false });
  });

  it('is the public development key only when TRACEGATE_LOCAL_DEV is "1" and no secret is set', () => {
    expect(auditMacSecret({ TRACEGATE_LOCAL_DEV: '1' })).toEqual({
      ok: true,
      secret: DEV_AUDIT_MAC_KEY,
      development: true,
    });
  });
});
