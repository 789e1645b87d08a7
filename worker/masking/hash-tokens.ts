// Resolves keyed-hash tokens with WebCrypto HMAC-SHA256.
//
// The input is `ENTITY NUL value` (so equal values of different entity types
// do not link), the output is the first N hex characters of the MAC. Results
// are cached per session (bounded), since the same e-mail address or host name
// tends to repeat many times in one trace.
import type { HashToken } from './output.ts';

const CACHE_LIMIT = 4096;
const encoder = new TextEncoder();

export async function hmacKeyFromSecret(secret: string): Promise<CryptoKey> {
  if (secret.length < 16)
    throw new TypeError('the masking HMAC secret must be at least 16 characters');
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

function toHex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export class HashTokenResolver {
  private readonly key: CryptoKey | null;
  private readonly cache = new Map<string, string>();

  constructor(key: CryptoKey | null) {
    this.key = key;
  }

  /** Joins parts into text, replacing each token by `[ENTITY:hex]`. */
  async render(parts: readonly (string | HashToken)[]): Promise<string> {
    const missing = new Map<string, HashToken>();
    for (const part of parts) {
      if (typeof part === 'string') continue;
      const id = `${part.entity}\u0000${part.value}`;
      if (!this.cache.has(id)) missing.set(id, part);
    }
    if (missing.size > 0) {
      const key = this.key;
      if (key === null) throw new Error('a keyed hash was requested without an HMAC key');
      if (this.cache.size + missing.size > CACHE_LIMIT) this.cache.clear();
      await Promise.all(
        [...missing.keys()].map(async (id) => {
          this.cache.set(id, toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(id))));
        }),
      );
    }
    let text = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const mac = this.cache.get(`${part.entity}\u0000${part.value}`) ?? '';
      text += `[${part.entity}:${mac.slice(0, part.hexLength)}]`;
    }
    return text;
  }
}
