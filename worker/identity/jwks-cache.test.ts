// The JWKS cache's timing behaviour, driven through the verifier. jose's
// remote key set measures cache age and cooldown with Date.now, so Date is
// faked here (timers stay real); token lifetimes use the verifier's own
// frozen `now`.
import type { JWTPayload } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeError } from '../http/errors.ts';
import {
  createSigningKey,
  fakeJwksEndpoint,
  issuerConfig,
  signToken,
  type SigningKey,
} from './testing/fake-idp.ts';
import {
  createTokenVerifier,
  identityErrorCode,
  type VerifyResult,
} from './verify-access-token.ts';

const NOW_MS = Date.UTC(2030, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const COOLDOWN_S = 30;
const MAX_AGE_S = 600;
const MAX_STALE_S = 3600;

const corp = issuerConfig({
  id: 'corp',
  jwks: {
    cooldownSeconds: COOLDOWN_S,
    cacheMaxAgeSeconds: MAX_AGE_S,
    timeoutMs: 50,
    maxStaleSeconds: MAX_STALE_S,
  },
});

let key1: SigningKey;
let key2: SigningKey;

beforeAll(async () => {
  key1 = await createSigningKey('RS256', 'key-1');
  key2 = await createSigningKey('RS256', 'key-2');
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_MS);
});

afterEach(() => {
  vi.useRealTimers();
});

const claims: JWTPayload = { iss: corp.issuer, sub: 'u', aud: 'tracegate', exp: NOW + 3600 };

function setup(keys: SigningKey[] = [key1]) {
  const idp = fakeJwksEndpoint({ [corp.jwksUri]: keys });
  const verifier = createTokenVerifier([corp], { fetch: idp.fetch, now: () => NOW_MS });
  const verify = async (key: SigningKey, kid = key.kid) =>
    verifier.verify(`Bearer ${await signToken(key, claims, { kid })}`);
  return { idp, verifier, verify };
}

const elapse = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

function reasonOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason;
}

describe('the JWKS clock', () => {
  it('is faked for jose in workerd', () => {
    vi.setSystemTime(NOW_MS + 5000);
    expect(Date.now()).toBe(NOW_MS + 5000);
  });
});

describe('unknown kid', () => {
  it('triggers exactly one refetch, then is refused', async () => {
    const { idp, verify } = setup();
    expect(reasonOf(await verify(key1))).toBe('ok');
    elapse(COOLDOWN_S + 1);
    expect(reasonOf(await verify(key1, 'unknown'))).toBe('no_matching_key');
    expect(idp.calls()).toBe(2);
  });

  it('does not refetch within the cooldown', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    elapse(COOLDOWN_S - 1);
    expect(reasonOf(await verify(key1, 'unknown'))).toBe('no_matching_key');
    expect(idp.calls()).toBe(1);
  });

  it('50 unknown kids in a concurrent burst cause no more than one refetch', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    elapse(COOLDOWN_S + 1);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => verify(key1, `unknown-${i}`)),
    );
    expect(new Set(results.map(reasonOf))).toEqual(new Set(['no_matching_key']));
    expect(idp.calls()).toBe(2);
  });

  it('50 unknown kids in a sequential burst cause no more than one refetch', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    elapse(COOLDOWN_S + 1);
    for (let i = 0; i < 50; i++) await verify(key1, `unknown-${i}`);
    expect(idp.calls()).toBe(2);
  });
});

describe('key rotation', () => {
  it('a new kid is picked up once the cooldown has passed', async () => {
    const { idp, verify } = setup();
    expect(reasonOf(await verify(key1))).toBe('ok');
    idp.serve(corp.jwksUri, [key1, key2]);
    expect(reasonOf(await verify(key2))).toBe('no_matching_key');
    elapse(COOLDOWN_S + 1);
    expect(reasonOf(await verify(key2))).toBe('ok');
    expect(reasonOf(await verify(key1))).toBe('ok');
    expect(idp.calls()).toBe(2);
  });

  it('a retired key stops verifying once the cache has been refreshed', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    idp.serve(corp.jwksUri, [key2]);
    elapse(MAX_AGE_S + 1);
    expect(reasonOf(await verify(key1))).toBe('no_matching_key');
    expect(reasonOf(await verify(key2))).toBe('ok');
  });
});

describe('IdP outage', () => {
  it.each(['throw', '503', 'garbage', 'hang'] as const)(
    'with a warm cache past cacheMaxAge, stale keys keep verifying (IdP mode %s)',
    async (mode) => {
      const { idp, verify } = setup();
      expect(reasonOf(await verify(key1))).toBe('ok');
      idp.setMode(mode);
      elapse(MAX_AGE_S + 1);
      expect(reasonOf(await verify(key1))).toBe('ok');
      expect(idp.calls()).toBe(2);
    },
  );

  it('a kid unknown even to the stale keys is still refused', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    idp.setMode('throw');
    elapse(MAX_AGE_S + 1);
    const result = await verify(key2);
    expect(reasonOf(result)).toBe('no_matching_key');
    expect(result.ok ? '' : result.detail).toContain('JWKS stale');
  });

  it('stale keys stop verifying maxStaleSeconds after the last good fetch: 503, never allow', async () => {
    const { idp, verify } = setup();
    expect(reasonOf(await verify(key1))).toBe('ok');
    idp.setMode('throw');
    elapse(MAX_STALE_S - 60);
    expect(reasonOf(await verify(key1))).toBe('ok');
    elapse(120);
    const result = await verify(key1);
    expect(reasonOf(result)).toBe('idp_unavailable');
    expect(result.ok ? '' : result.detail).toContain('maxStaleSeconds');
    // Within the refetch cooldown too: the too-old keys are not served from memory.
    expect(reasonOf(await verify(key1))).toBe('idp_unavailable');
    // Once the IdP is back, the keys are fresh again.
    idp.setMode('up');
    elapse(COOLDOWN_S + 1);
    expect(reasonOf(await verify(key1))).toBe('ok');
  });

  it('keys are refreshed again once the IdP is back', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    idp.setMode('503');
    elapse(MAX_AGE_S + 1);
    await verify(key1);
    idp.setMode('up');
    idp.serve(corp.jwksUri, [key1, key2]);
    elapse(COOLDOWN_S + 1);
    expect(reasonOf(await verify(key2))).toBe('ok');
  });

  it.each(['throw', '503', 'garbage', 'hang'] as const)(
    'with a cold cache, the IdP in mode %s answers idp_unavailable (503), never allow',
    async (mode) => {
      const { idp, verify } = setup();
      idp.setMode(mode);
      const result = await verify(key1);
      expect(reasonOf(result)).toBe('idp_unavailable');
      if (!result.ok) expect(describeError(identityErrorCode(result.reason)).status).toBe(503);
    },
  );

  it('a cold cache with the IdP down makes one fetch per cooldown, not one per request', async () => {
    // Anyone can send a token naming a trusted issuer: each must not become an outbound call.
    const { idp, verify } = setup();
    idp.setMode('throw');
    for (let i = 0; i < 5; i++) expect(reasonOf(await verify(key1))).toBe('idp_unavailable');
    expect(idp.calls()).toBe(1);
    elapse(COOLDOWN_S - 1);
    expect(reasonOf(await verify(key1))).toBe('idp_unavailable');
    expect(idp.calls()).toBe(1);
  });

  it('a cold cache recovers on the first request after the cooldown once the IdP is back', async () => {
    const { idp, verify } = setup();
    idp.setMode('throw');
    expect(reasonOf(await verify(key1))).toBe('idp_unavailable');
    idp.setMode('up');
    elapse(COOLDOWN_S);
    expect(reasonOf(await verify(key1))).toBe('ok');
    expect(idp.calls()).toBe(2);
  });
});

describe('the cache', () => {
  it('is shared by verifiers in the same isolate, so keys are fetched once', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    const second = createTokenVerifier([corp], { fetch: idp.fetch, now: () => NOW_MS });
    const token = await signToken(key1, claims);
    expect(reasonOf(await second.verify(`Bearer ${token}`))).toBe('ok');
    expect(idp.calls()).toBe(1);
  });

  it('keys are refetched after cacheMaxAge', async () => {
    const { idp, verify } = setup();
    await verify(key1);
    elapse(MAX_AGE_S - 1);
    await verify(key1);
    expect(idp.calls()).toBe(1);
    elapse(2);
    await verify(key1);
    expect(idp.calls()).toBe(2);
  });
});
