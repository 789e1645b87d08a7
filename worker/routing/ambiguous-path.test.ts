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
});
