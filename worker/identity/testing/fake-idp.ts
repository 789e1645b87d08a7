// Test support: real keys, real signed tokens, and a fake JWKS endpoint.
//
// Keys are generated and tokens signed at test time with jose; nothing is a
// hard-coded string. The fake fetch serves each issuer's JWKS, counts calls,
// can be switched "down", and records any request to an unexpected URL, which
// fails the test when it finishes (a throw inside fetch alone would be
// swallowed by the stale-keys fallback).
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { expect, onTestFinished } from 'vitest';
import type { IssuerConfig } from '../../config/schema.ts';

export type SigningAlg = 'RS256' | 'ES256' | 'PS256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function createSigningKey(alg: SigningAlg, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/** A token signed by `key`, with `kid` and `alg` from the key unless overridden. */
export async function signToken(
  key: SigningKey,
  claims: JWTPayload,
  header: { kid?: string; alg?: string; typ?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

const encoder = new TextEncoder();

export function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** An unsecured JWT (RFC 7519 §6): `alg: none` and an empty signature. */
export function unsecuredToken(claims: JWTPayload, kid?: string): string {
  const header = kid === undefined ? { alg: 'none' } : { alg: 'none', kid };
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.`;
}

/**
 * The classic key-confusion forgery: HS256 with the issuer's RSA public key
 * (its PEM, or its JWK as JSON) used as the HMAC secret. A verifier that takes
 * the algorithm from the token would accept it.
 */
export async function hs256WithPublicKey(
  key: SigningKey,
  claims: JWTPayload,
  secretForm: 'pem' | 'jwk',
): Promise<string> {
  const secret =
    secretForm === 'pem' ? await exportSPKI(key.publicKey) : JSON.stringify(key.publicJwk);
  const hmacKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }))}.${base64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign('HMAC', hmacKey, encoder.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

export type JwksMode = 'up' | 'throw' | '503' | 'garbage' | 'hang';

export interface FakeJwksEndpoint {
  fetch: typeof fetch;
  /** Calls made to one JWKS URL, or to all of them. */
  calls(url?: string): number;
  /** Replaces the keys an issuer's JWKS URL serves. */
  serve(url: string, keys: SigningKey[]): void;
  setMode(mode: JwksMode): void;
}

/** A JWKS endpoint per URL. Must be created inside a test (it checks itself at the end). */
export function fakeJwksEndpoint(initial: Record<string, SigningKey[]>): FakeJwksEndpoint {
  const served = new Map(Object.entries(initial));
  const counts = new Map<string, number>();
  const unexpected: string[] = [];
  let mode: JwksMode = 'up';
  onTestFinished(() => {
    expect(unexpected, 'requests to unexpected URLs').toEqual([]);
  });

  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const keys = served.get(url);
    if (keys === undefined) {
      unexpected.push(url);
      throw new Error(`unexpected request to ${url}`);
    }
    counts.set(url, (counts.get(url) ?? 0) + 1);
    switch (mode) {
      case 'up':
        return Response.json({ keys: keys.map((key) => key.publicJwk) });
      case 'throw':
        throw new TypeError('fetch failed: connection refused');
      case '503':
        return new Response('upstream connect error', { status: 503 });
      case 'garbage':
        return new Response('<html>maintenance</html>', { status: 200 });
      case 'hang':
        return new Promise((_, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });
    }
  };

  return {
    fetch: fakeFetch as typeof fetch,
    calls: (url) =>
      url === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(url) ?? 0),
    serve: (url, keys) => void served.set(url, keys),
    setMode: (next) => void (mode = next),
  };
}

/** An issuer as the config schema would produce it, with test-friendly defaults. */
export function issuerConfig(
  overrides: Partial<IssuerConfig> & Pick<IssuerConfig, 'id'>,
): IssuerConfig {
  return {
    issuer: `https://${overrides.id}.idp.test`,
    jwksUri: `https://${overrides.id}.idp.test/jwks`,
    audiences: ['tracegate'],
    algorithms: ['RS256'],
    claims: { subject: 'sub', email: 'email', groups: 'groups', groupsPrefix: '' },
    clockToleranceSeconds: 30,
    jwks: {
      cooldownSeconds: 30,
      cacheMaxAgeSeconds: 600,
      timeoutMs: 1000,
      maxStaleSeconds: 86_400,
    },
    ...overrides,
  };
}
