import { describe, expect, it } from 'vitest';
import { extractBearerToken } from './bearer-token.ts';

const MAX = 64;

describe('extractBearerToken', () => {
  it('returns the token of a Bearer credential', () => {
    expect(extractBearerToken('Bearer abc.DEF-_~+/123==', MAX)).toEqual({
      ok: true,
      token: 'abc.DEF-_~+/123==',
    });
  });

  it('accepts the scheme in any case and several spaces before the token', () => {
    expect(extractBearerToken('bEaReR   abc', MAX)).toEqual({ ok: true, token: 'abc' });
  });

  it('reports a missing header as missing', () => {
    expect(extractBearerToken(null, MAX)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['no space after the scheme', 'Bearerabc'],
    ['two tokens', 'Bearer abc def'],
    ['two credentials joined by a comma', 'Bearer abc, Bearer def'],
    ['a character outside b64token', 'Bearer ab"c'],
    ['padding in the middle', 'Bearer ab=c'],
    ['a non-ASCII character', 'Bearer abcé'],
    ['a tab instead of a space', 'Bearer\tabc'],
  ])('reports %s as malformed', (_label, header) => {
    expect(extractBearerToken(header, MAX)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a token of exactly maxTokenBytes', () => {
    const token = 'a'.repeat(MAX);
    expect(extractBearerToken(`Bearer ${token}`, MAX)).toEqual({ ok: true, token });
  });

  it('reports a token one byte over maxTokenBytes as too large', () => {
    expect(extractBearerToken(`Bearer ${'a'.repeat(MAX + 1)}`, MAX)).toEqual({
      ok: false,
      reason: 'too_large',
    });
  });

  it('reports an oversized header as too large even when it is not a bearer credential', () => {
    expect(extractBearerToken(`Basic ${'%'.repeat(MAX * 4)}`, MAX)).toEqual({
      ok: false,
      reason: 'too_large',
    });
  });
});
