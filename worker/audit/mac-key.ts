// The audit MAC key: the Worker secret AUDIT_MAC_KEY.
//
// Fail closed: without the secret (or with one shorter than 32 characters)
// no audit row can be written, so no read is served (503 audit_unavailable).
// The one exception is explicit local development: when the binding
// TRACEGATE_LOCAL_DEV is "1" (set by local-dev/ for `wrangler dev`, never in
// wrangler.toml; the test pool sets AUDIT_MAC_KEY instead) a fixed, public development key is used
// and a warning is logged. Rows signed with it verify only under that key, so
// they cannot pass for production rows.
//
// The imported key is cached per isolate, keyed by the secret.
import { importMacKey } from './row-mac.ts';

export const MIN_MAC_KEY_LENGTH = 32;
export const DEV_AUDIT_MAC_KEY = 'tracegate-local-development-audit-mac-key (not a secret)';

export type MacKeyResult =
  { ok: true; key: CryptoKey; development: boolean } | { ok: false; reason: string };

const cache = new Map<string, Promise<CryptoKey>>();
let warned = false;

/** The configured secret (or the development key), without importing it. */
export function auditMacSecret(
  env: object,
): { ok: true; secret: string; development: boolean } | { ok: false; reason: string } {
  // A Worker secret: not in the generated Env type, so read and narrowed here.
  const secret: unknown = Reflect.get(env, 'AUDIT_MAC_KEY');
  if (typeof secret === 'string' && secret.length >= MIN_MAC_KEY_LENGTH) {
    return { ok: true, secret, development: false };
  }
  if (Reflect.get(env, 'TRACEGATE_LOCAL_DEV') === '1' && secret === undefined) {
    return { ok: true, secret: DEV_AUDIT_MAC_KEY, development: true };
  }
  return {
    ok: false,
    reason:
      typeof secret === 'string'
        ? `AUDIT_MAC_KEY is shorter than ${MIN_MAC_KEY_LENGTH} characters`
        : 'AUDIT_MAC_KEY is not set',
  };
}

export async function auditMacKey(env: object): Promise<MacKeyResult> {
  const secret = auditMacSecret(env);
  if (!secret.ok) return secret;
  if (secret.development && !warned) {
    warned = true;
    console.warn('audit rows are signed with the public development key (TRACEGATE_LOCAL_DEV=1)');
  }
  let key = cache.get(secret.secret);
  if (key === undefined) {
    key = importMacKey(secret.secret);
    key.catch(() => cache.delete(secret.secret));
    cache.set(secret.secret, key);
  }
  try {
    return { ok: true, key: await key, development: secret.development };
  } catch (error) {
    return { ok: false, reason: `AUDIT_MAC_KEY cannot be imported: ${String(error)}` };
  }
}
