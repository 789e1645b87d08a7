import { describe, expect, it } from 'vitest';
import { ambiguousPathReason } from './ambiguous-path.ts';

describe('ambiguousPathReason', () => {
  it('lets ordinary paths and ids through, escapes included', () => {
    for (const path of [
      '/',
      '/api/public/traces/2c1581dd9cecdafb6ca091b83d7ea99a',
      '/api/public/traces/a%20b',
      '/api/public/traces/%C3%BCber',
      '/api/public/traces/100%25', // a literal "%": decoded once, it is "100%"
      '/otlp/v1/traces/x.y..z',
      '/api/public/traces/%C3%9CBER', // Ü: its cases map back and forth
      '/api/public/traces/%E6%97%A5%E6%9C%AC', // 日本: no case, no compatibility form
    ])
      expect([path, ambiguousPathReason(path)]).toEqual([path, null]);
  });

  it('refuses encoded separators a store could decode and resolve', () => {
    for (const path of [
      '/api/public/traces/..%2F..%2Fadmin',
      '/api/public/traces/..%2f..%2fadmin',
      '/api/public/traces/a%2Fb',
      '/api/public/traces/..%5C..%5Cadmin',
      '/api/public/traces/..%5c',
    ])
      expect([path, ambiguousPathReason(path)]).toEqual([path, 'an encoded "/" or "\\"']);
  });

  it('refuses empty segments, which servers that merge slashes drop', () => {
    for (const path of ['//api/public/traces', '/api//public/traces', '/api/public/traces//'])
      expect(ambiguousPathReason(path)).toBe('an empty segment ("//")');
    expect(ambiguousPathReason('/api/public/traces/t1/')).toBeNull(); // a trailing slash is one
  });

  it('refuses path parameters, which Tomcat-style servers cut off ("..;" is "..")', () => {
    for (const path of ['/api/public/traces;x', '/api/public/traces/..;/admin', '/a/b;c/d'])
      expect(ambiguousPathReason(path)).toBe('a ";" (path parameters, which some servers cut off)');
    // Written with escapes, for a store that decodes before it cuts.
    for (const path of ['/a/%2E%2E%3Bx/b', '/a/.%3B'])
      expect(ambiguousPathReason(path)).toBe('a ".." or "." segment with parameters');
  });

  it('refuses malformed percent-encoding, which each server repairs its own way', () => {
    for (const path of ['/api/public/traces/%E0%A4%A', '/api/public/traces/%zz', '/a/%'])
      expect(ambiguousPathReason(path)).toBe('malformed percent-encoding');
  });

  it('refuses encoded control characters, which C-based servers may stop at', () => {
    for (const path of ['/api/public/traces/t1%00.json', '/api/public/traces/a%0Ab', '/x/%7F'])
      expect(ambiguousPathReason(path)).toBe('a control character');
  });

  it('refuses escapes that decode twice, for a store that decodes again', () => {
    for (const path of [
      '/api/public/traces/..%252F..%252Fadmin', // "..%2F..%2Fadmin", then "../../admin"
      '/api/public/%2574races', // "%74races", then the listing
      '/api/public/traces/a%25zz%2541',
    ])
      expect([path, ambiguousPathReason(path)]).toEqual([
        path,
        'percent-encoding that decodes twice ("%25" and hex)',
      ]);
  });

  it('refuses a trailing "." or " ", which Windows servers strip', () => {
    for (const path of ['/api/public/traces.', '/api/public/traces%20', '/api/public/traces/t1.'])
      expect([path, ambiguousPathReason(path)]).toEqual([
        path,
        'a segment ending in "." or " ", which some servers strip',
      ]);
  });

  it('refuses letters that Unicode normalisation or case folding turns into others', () => {
    for (const [path, why] of [
      ['/api/public/%EF%BD%94races', 'fullwidth t: NFKC makes it t'],
      ['/api/public/trace%C5%BF', 'long s: NFKC and upper case make it s'],
      ['/api/publ%C4%B1c/traces', 'dotless i: upper case makes it I'],
      ['/api/public/traces/stra%C3%9Fe', 'sharp s: upper case makes it SS'],
      ['/api/public/traces/%C4%B0d', 'dotted capital I: its lower case does not map back'],
      ['/api/public/traces/e%CC%81', 'e and a combining accent: NFKC composes them'],
    ])
      expect([why, ambiguousPathReason(path ?? '')]).toEqual([
        why,
        'characters that Unicode normalisation or case folding turns into others',
      ]);
  });
});
