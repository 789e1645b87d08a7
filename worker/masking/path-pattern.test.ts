import { describe, expect, it } from 'vitest';
import { PathMatcher, parsePathPattern, type PathComponent } from './path-pattern.ts';

function matches(pattern: string, path: PathComponent[]): boolean {
  const matcher = new PathMatcher([parsePathPattern(pattern)]);
  let states = matcher.root;
  for (const component of path) states = matcher.step(states, component);
  return matcher.firstAccepting(states) === 0;
}

describe('parsePathPattern', () => {
  it('parses members, wildcards, indices, quoted names and descent', () => {
    expect(parsePathPattern(`$.observations[*].metadata['host.name']`)).toEqual([
      { kind: 'key', name: 'observations' },
      { kind: 'any' },
      { kind: 'key', name: 'metadata' },
      { kind: 'key', name: 'host.name' },
    ]);
    expect(parsePathPattern('..signature')).toEqual([
      { kind: 'descend' },
      { kind: 'key', name: 'signature' },
    ]);
    expect(parsePathPattern('a.b[2]')).toEqual([
      { kind: 'key', name: 'a' },
      { kind: 'key', name: 'b' },
      { kind: 'index', index: 2 },
    ]);
  });

  it('rejects malformed paths with a position', () => {
    expect(() => parsePathPattern('$.a[')).toThrow(/missing "\]"/);
    expect(() => parsePathPattern('$.a..')).toThrow(/cannot end with/);
    expect(() => parsePathPattern(`$['x]`)).toThrow(/unterminated/);
    expect(() => parsePathPattern('$.a[foo]')).toThrow(/use \[\*\]/);
    expect(() => parsePathPattern('$')).toThrow(/empty path/);
  });
});

describe('PathMatcher', () => {
  it('matches exact paths only', () => {
    expect(matches('$.trace.userId', ['trace', 'userId'])).toBe(true);
    expect(matches('$.trace.userId', ['trace'])).toBe(false);
    expect(matches('$.trace.userId', ['trace', 'userId', 'x'])).toBe(false);
  });

  it('matches wildcards over members and elements', () => {
    expect(matches('$.observations[*].input', ['observations', 7, 'input'])).toBe(true);
    expect(matches('$.*.input', ['observations', 'input'])).toBe(true);
  });

  it('matches an index only at that index', () => {
    expect(matches('$.a[1]', ['a', 1])).toBe(true);
    expect(matches('$.a[1]', ['a', 2])).toBe(false);
  });

  it('descent matches at any depth, including directly below', () => {
    expect(matches('..password', ['password'])).toBe(true);
    expect(matches('..password', ['a', 0, 'b', 'password'])).toBe(true);
    expect(matches('$.a..id', ['a', 'x', 'id'])).toBe(true);
    expect(matches('$.a..id', ['b', 'id'])).toBe(false);
  });

  it('the first rule in priority order wins', () => {
    const matcher = new PathMatcher([parsePathPattern('$.a.b'), parsePathPattern('..b')]);
    expect(matcher.firstAccepting(matcher.step(matcher.step(matcher.root, 'a'), 'b'))).toBe(0);
    expect(matcher.firstAccepting(matcher.step(matcher.step(matcher.root, 'c'), 'b'))).toBe(1);
  });

  it('a subtree no rule can reach shares one empty state', () => {
    const matcher = new PathMatcher([parsePathPattern('$.a.b')]);
    expect(matcher.step(matcher.root, 'z')).toBe(matcher.empty);
  });
});
