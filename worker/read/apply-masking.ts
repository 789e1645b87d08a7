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

export interface MaskedBody {
  body: ReadableStream<Uint8Array>;
  /** Masked items per entity type so far; null when no profile applies. */
  counts(): Record<string, number> | null;
  profile: string | null;
}

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;
function hmacKeyFor(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: hmacKeyFromSecret(secret) };
  return cachedKey.key;
}

export async function applyMasking(
  profileName: string | undefined,
  contentType: string | null,
  body: ReadableStream<Uint8Array>,
  deps: MaskingDeps | undefined,
): Promise<MaskedBody> {
  if (profileName === undefined) return { body, counts: () => null, profile: null };
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
  if (masker === null) return { body, counts: () => ({}), profile: profileName };
  if ('refuse' in masker) {
    throw new GatewayError('masking_failed', {
      cause: new Error(`content type refused by profile "${profileName}": ${masker.reason}`),
      publicDetail: 'This namespace masks traces, and this content type cannot be masked.',
    });
  }
  return { body: body.pipeThrough(masker), counts: () => masker.counts(), profile: profileName };
}
