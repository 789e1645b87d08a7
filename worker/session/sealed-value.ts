// Sealing small JSON values for cookies: AES-256-GCM, expiry inside.
//
// Wire form: base64url(iv ‖ ciphertext+tag), 12-byte random IV per seal. The
// purpose label is the GCM additional data, so a value sealed for one cookie
// fails authentication when presented as another even if someone reuses a key.
// The expiry is inside the sealed JSON: a client can neither read it nor
// extend it, and the cookie's Max-Age is only a hint to the browser.
//
// Opening never throws on attacker input; it returns a tagged reason, which
// callers log and map to "not signed in".
import { decodeBase64Url, encodeBase64Url } from './base64url.ts';

export type OpenResult<T> =
  | { ok: true; value: T; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'bad_seal' | 'expired' | 'bad_shape' };

const IV_BYTES = 12;
/** Cookies stay well under the 4 KiB browsers keep per cookie. */
export const MAX_SEALED_LENGTH = 3800;

export async function sealValue(
  key: CryptoKey,
  purpose: string,
  value: unknown,
  expiresAt: number,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify({ exp: expiresAt, v: value }));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(purpose) },
    key,
    plaintext,
  );
  const sealed = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  sealed.set(iv, 0);
  sealed.set(new Uint8Array(ciphertext), IV_BYTES);
  const encoded = encodeBase64Url(sealed);
  if (encoded.length > MAX_SEALED_LENGTH)
    throw new RangeError('sealed value too large for a cookie');
  return encoded;
}

/**
 * Opens a sealed value and checks its expiry against `now`; `narrow` checks
 * the decrypted JSON has the expected shape (it was written by us, but a
 * version change may have altered it).
 */
export async function openValue<T>(
  key: CryptoKey,
  purpose: string,
  sealed: string,
  now: number,
  narrow: (value: unknown) => T | undefined,
): Promise<OpenResult<T>> {
  if (sealed.length > MAX_SEALED_LENGTH) return { ok: false, reason: 'malformed' };
  const bytes = decodeBase64Url(sealed);
  if (bytes === undefined || bytes.length <= IV_BYTES + 16)
    return { ok: false, reason: 'malformed' };
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bytes.subarray(0, IV_BYTES),
        additionalData: new TextEncoder().encode(purpose),
      },
      key,
      bytes.subarray(IV_BYTES),
    );
  } catch {
    return { ok: false, reason: 'bad_seal' };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return { ok: false, reason: 'bad_shape' };
  }
  if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'bad_shape' };
  const exp: unknown = Reflect.get(envelope, 'exp');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'bad_shape' };
  if (now >= exp) return { ok: false, reason: 'expired' };
  const value = narrow(Reflect.get(envelope, 'v'));
  if (value === undefined) return { ok: false, reason: 'bad_shape' };
  return { ok: true, value, expiresAt: exp };
}
