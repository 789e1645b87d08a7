// Step 7 of the request path: the masking profile that applies to a read,
// put between the trace store's body and everything after it.
//
// Fails closed at every turn: a profile that cannot be built (a missing HMAC
// secret) is a configuration error, a content type the profile refuses is
// refused before any byte flows, and a masking error mid-stream errors the
// body (the masker emits nothing after a failure), which observeStream
// reports and the caller sees as a broken response — never raw bytes.
import type { MaskingProfile } from '../masking/profile-schema.ts';
import { createMasker, hmacKeyFromSecret } from '../masking/index.ts';
import { GatewayError } from '../http/errors.ts';

export interface MaskingDeps {
  profiles: Record<string, MaskingProfile>;
  /** The Worker secret that keys pseudonymisation (`MASKING_HMAC_KEY`). */
  hmacSecret: string | undefined;
}

export interface MaskedBody<B extends ReadableStream<Uint8Array> | null> {
  body: B;
  /** Masked items per entity type so far; null when no profile applies. */
  counts(): Record<string, number> | null;
}

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;
function hmacKeyFor(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: hmacKeyFromSecret(secret) };
  return cachedKey.key;
}

/**
 * The body as the caller gets it. With a null body (HEAD), every check still
 * runs, so HEAD answers as GET would: refused where GET would be refused.
 */
export async function applyMasking<B extends ReadableStream<Uint8Array> | null>(
  profileName: string | undefined,
  contentType: string | null,
  body: B,
  deps: MaskingDeps | undefined,
): Promise<MaskedBody<B>> {
  if (profileName === undefined) return { body, counts: () => null };
  const profile = deps?.profiles[profileName];
  if (profile === undefined) {
    throw new GatewayError('gateway_misconfigured', {
      cause: new Error(`masking profile "${profileName}" is not configured`),
    });
  }
  let hmacKey: CryptoKey | null = null;
  const secret = deps?.hmacSecret;
  if (typeof secret === 'string' && secret !== '') {
    try {
      hmacKey = await hmacKeyFor(secret);
    } catch (cause) {
      throw new GatewayError('gateway_misconfigured', { cause });
    }
  }
  let masker: ReturnType<typeof createMasker>;
  try {
    masker = createMasker(profile, contentType, { hmacKey });
  } catch (cause) {
    // The profile pseudonymises but MASKING_HMAC_KEY is not set.
    throw new GatewayError('gateway_misconfigured', { cause });
  }
  if (masker === null) return { body, counts: () => ({}) };
  if ('refuse' in masker) {
    throw new GatewayError('masking_failed', {
      cause: new Error(`content type refused by profile "${profileName}": ${masker.reason}`),
      publicDetail: 'This namespace masks traces, and this content type cannot be masked.',
    });
  }
  const masked = (body === null ? null : body.pipeThrough(masker)) as B;
  return { body: masked, counts: () => masker.counts() };
}
