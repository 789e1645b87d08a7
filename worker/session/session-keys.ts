// The keys derived from the Worker secret SESSION_SECRET: reviewer sessions,
// and the names of access request objects (review/request-slot.ts).
//
// One secret, several keys, each derived with HKDF-SHA-256 under its own
// `info` label (RFC 5869 §3.2), so a value made for one purpose never opens
// or verifies under another: a login-flow cookie is not a session, and a CSRF
// token is not a cookie. The derived keys are non-extractable and cached per
// isolate, keyed by the secret itself (rotating the secret rotates them all and
// signs every reviewer out).
//
// A missing or short secret is a deployment error: the gateway fails closed
// with 500 gateway_misconfigured rather than inventing a key.
import { GatewayError } from '../http/errors.ts';

export interface SessionKeys {
  /** AES-256-GCM: seals the reviewer session cookie. */
  session: CryptoKey;
  /** AES-256-GCM: seals the short-lived login-flow cookie (state, nonce, PKCE verifier). */
  loginFlow: CryptoKey;
  /** HMAC-SHA-256: CSRF tokens bound to a session and a request id. */
  csrf: CryptoKey;
  /** HMAC-SHA-256: names access request objects, so their ids cannot be guessed. */
  requestSlot: CryptoKey;
}

/** 32 bytes of entropy, as base64url or any string at least this long. */
export const MIN_SECRET_LENGTH = 32;

const cache = new Map<string, SessionKeys>();

/** The session keys for this deployment, or a gateway_misconfigured error. */
export function sessionKeys(env: object): Promise<SessionKeys> {
  // A Worker secret: not in the generated Env type, so read and narrowed here.
  const secret: unknown = Reflect.get(env, 'SESSION_SECRET');
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    return Promise.reject(
      new GatewayError('gateway_misconfigured', {
        cause: new Error(
          `SESSION_SECRET is ${typeof secret === 'string' ? 'too short' : 'not set'} (reviewer sessions need at least ${MIN_SECRET_LENGTH} characters)`,
        ),
      }),
    );
  }
  const cached = cache.get(secret);
  if (cached !== undefined) return Promise.resolve(cached);
  // The derived keys, not a pending promise, are shared between requests.
  return deriveSessionKeys(secret).then((keys) => {
    cache.set(secret, keys);
    return keys;
  });
}

async function deriveSessionKeys(secret: string): Promise<SessionKeys> {
  const base = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    'HKDF',
    false,
    ['deriveKey'],
  );
  const derive = (
    info: string,
    algorithm: { name: string; length: number; hash?: string },
    usages: string[],
  ) =>
    crypto.subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: new TextEncoder().encode('tracegate'),
        info: new TextEncoder().encode(info),
      },
      base,
      algorithm,
      false,
      usages,
    );
  const aes = { name: 'AES-GCM', length: 256 };
  const hmac = { name: 'HMAC', hash: 'SHA-256', length: 256 };
  const [session, loginFlow, csrf, requestSlot] = await Promise.all([
    derive('tracegate review session v1', aes, ['encrypt', 'decrypt']),
    derive('tracegate login flow v1', aes, ['encrypt', 'decrypt']),
    derive('tracegate csrf v1', hmac, ['sign', 'verify']),
    derive('tracegate access request slot v1', hmac, ['sign']),
  ]);
  return { session, loginFlow, csrf, requestSlot };
}
