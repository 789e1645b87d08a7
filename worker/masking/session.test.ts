// The createMasker contract the gateway relies on: content-type choice,
// refusal and pass-through, the HMAC key requirement, error codes, counts.
import { describe, expect, it } from 'vitest';
import { createMasker, hmacKeyFromSecret, MaskingError } from './index.ts';
import { fake, maskText, profileOf, runSession, testKey } from './test-support.ts';

describe('createMasker: content types', () => {
  const profile = profileOf();
  it.each([
    ['application/json'],
    ['application/vnd.api+json; charset=utf-8'],
    ['application/x-ndjson'],
    ['text/event-stream'],
    ['text/plain; charset=UTF-8'],
    ['application/x-yaml'],
  ])('%s is masked', (type) => {
    const masker = createMasker(profile, type, {});
    expect(masker).not.toBeNull();
    expect(masker !== null && 'readable' in masker).toBe(true);
  });

  it('unknown, binary and missing types are refused by default', () => {
    for (const type of ['application/octet-stream', 'image/png', null]) {
      expect(createMasker(profile, type, {})).toMatchObject({
        refuse: true,
        reason: expect.stringContaining('not masked'),
      });
    }
  });

  it('a profile may pass unknown types through, or pick a format per type', () => {
    expect(
      createMasker(profileOf({ otherContentTypes: 'passthrough' }), 'image/png', {}),
    ).toBeNull();
    const custom = profileOf({
      contentTypes: { 'application/vnd.trace': 'json', 'text/*': 'refuse', 'text/csv': 'text' },
    });
    expect(createMasker(custom, 'application/vnd.trace', {})).toHaveProperty('readable');
    expect(createMasker(custom, 'text/html', {})).toMatchObject({ refuse: true });
    expect(createMasker(custom, 'text/csv', {})).toHaveProperty('readable');
  });

  it('a charset other than UTF-8 is refused', () => {
    expect(createMasker(profile, 'text/plain; charset=iso-8859-1', {})).toMatchObject({
      refuse: true,
      reason: expect.stringContaining('iso-8859-1'),
    });
  });
});

describe('createMasker: keyed hashes', () => {
  it('a profile that hashes needs a key', () => {
    expect(() =>
      createMasker(profileOf({ operators: { EMAIL: 'hash' } }), 'application/json', {}),
    ).toThrow(TypeError);
    expect(() =>
      createMasker(
        profileOf({ fields: [{ path: '$.u', action: 'pseudonymise' }] }),
        'application/json',
        {},
      ),
    ).toThrow(/hmacKey/);
  });

  it('a short secret is rejected', async () => {
    await expect(hmacKeyFromSecret('short')).rejects.toThrow(TypeError);
  });

  it('tokens depend on the key and are stable across sessions', async () => {
    const profile = profileOf({ operators: { EMAIL: { type: 'hash', length: 16 } } });
    const input = `{"m":"${fake.email()}"}`;
    const a = await maskText(profile, 'application/json', input, { hmacKey: await testKey() });
    const b = await maskText(profile, 'application/json', input, { hmacKey: await testKey() });
    const other = await maskText(profile, 'application/json', input, {
      hmacKey: await hmacKeyFromSecret('another-secret-0123456789'),
    });
    expect(a.output).toMatch(/^\{"m":"\[EMAIL:[0-9a-f]{16}\]"\}$/);
    expect(b.output).toBe(a.output);
    expect(other.output).not.toBe(a.output);
  });

  it('e-mail addresses are hashed case-insensitively', async () => {
    const profile = profileOf({ operators: { default: 'hash' } });
    const run = await maskText(
      profile,
      'application/json',
      `["${fake.email()}","${fake.email().toUpperCase()}"]`,
    );
    const [x, y] = JSON.parse(run.output) as string[];
    expect(x).toBe(y);
  });
});

describe('createMasker: failure and counts', () => {
  it('the readable side errors with a MaskingError that has a stable code', async () => {
    const run = await maskText(profileOf(), 'application/json', '{"a":}');
    expect(run.error).toBeInstanceOf(MaskingError);
    expect(run.error).toMatchObject({ code: 'malformed_json', name: 'MaskingError' });
    expect((run.error as Error).message).not.toContain('{"a"');
  });

  it('counts report masked items per entity type and never values', async () => {
    const input = JSON.stringify({
      a: fake.email(),
      b: [fake.email(), fake.card()],
      c: fake.githubToken(),
    });
    const run = await maskText(profileOf(), 'application/json', input);
    expect(run.counts).toEqual({ EMAIL: 2, CREDIT_CARD: 1, GITHUB_TOKEN: 1 });
    expect(JSON.stringify(run.counts)).not.toContain('@');
  });

  it('a chunk that is not bytes is an internal error', async () => {
    const session = createMasker(profileOf(), 'application/json', {});
    if (session === null || 'refuse' in session) throw new Error('expected a session');
    const run = await runSession(session, ['{"a":1}' as unknown as Uint8Array]);
    expect(run.error).toMatchObject({ code: 'internal' });
  });

  it('a multi-byte character split across chunks is decoded whole', async () => {
    const input = '{"city":"Zürich 日本 😀"}';
    const bytes = new TextEncoder().encode(input);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect((await maskText(profileOf(), 'application/json', bytes, { cuts: [cut] })).output).toBe(
        input,
      );
    }
  });
});
