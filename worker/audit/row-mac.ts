// Tamper evidence, part 1: every audit row carries an HMAC over its content
// (TAMPER-EVIDENCE.md explains the whole design).
//
// The MAC covers every column except `seq` (D1 assigns it at insert, after
// the MAC is computed) and `mac` itself; the order of rows is bound later, by
// checkpoints. The canonical form is a JSON array of the columns in a fixed
// order, prefixed by a version label, so no two different rows share an
// encoding. A column added to audit_events must be added to MAC_FIELDS (a test
// fails until it is), with a new version label.
//
// Runtime-agnostic (WebCrypto only): the Worker signs and verifies with it,
// and `npm run audit:verify` verifies with it under Node.
import type { AuditEventRow } from './schema.ts';

export const ROW_MAC_VERSION = 'tracegate-audit-row-v1';

export const MAC_FIELDS = [
  'eventId',
  'at',
  'event',
  'requestId',
  'sessionId',
  'accessRequestId',
  'actorIssuer',
  'actorSubject',
  'actorEmail',
  'actorGroups',
  'namespace',
  'method',
  'path',
  'resourceId',
  'decision',
  'ruleId',
  'reason',
  'upstreamStatus',
  'status',
  'bytes',
  'durationMs',
  'sha256',
  'maskCounts',
  'recordingKey',
] as const satisfies readonly (keyof AuditEventRow)[];

export type MacField = (typeof MAC_FIELDS)[number];
export type MacContent = { [K in MacField]: AuditEventRow[K] };

const encoder = new TextEncoder();

export function canonicalRow(row: MacContent): string {
  return JSON.stringify([ROW_MAC_VERSION, ...MAC_FIELDS.map((field) => row[field] ?? null)]);
}

export async function importMacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

export async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

export async function sha256Hex(message: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(message)));
}

export function rowMac(key: CryptoKey, row: MacContent): Promise<string> {
  return hmacHex(key, canonicalRow(row));
}

/** Constant-time comparison of two hex strings of the same length. */
export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
