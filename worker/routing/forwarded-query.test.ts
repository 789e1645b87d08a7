import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeRefusedNames,
  forwardedQuery,
  redactedPath,
  redactedQuery,
} from './forwarded-query.ts';

/** How a store that splits on ";" too and never reads "+" as a space parses a query. */
function strictSemicolonParse(search: string): [string, string][] {
  return search
    .replace(/^\?/, '')
    .split(/[&;]/)
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
}

describe('forwardedQuery', () => {
  it('forwards listed names, re-encoded, and nothing for an empty query', () => {
    expect(forwardedQuery('', [])).toEqual({ ok: true, search: '' });
    expect(forwardedQuery('?', [])).toEqual({ ok: true, search: '' });
    expect(forwardedQuery('?&&', [])).toEqual({ ok: true, search: '' });
    expect(forwardedQuery('?page=2&limit=50', ['page', 'limit'])).toEqual({
      ok: true,
      search: '?page=2&limit=50',
    });
    expect(forwardedQuery('?q=a+b%2Bc&flag', ['q', 'flag'])).toEqual({
      ok: true,
      search: '?q=a%20b%2Bc&flag=',
    });
  });

  it('refuses any name not listed, including case and encoding variants of a listed one', () => {
    expect(forwardedQuery('?_method=DELETE', ['page'])).toEqual({
      ok: false,
      refused: ['_method'],
    });
    expect(forwardedQuery('?Page=1', ['page'])).toEqual({ ok: false, refused: ['Page'] });
    // decoded once: "%70age" is "page" (allowed), "%2570age" is "%70age" (not listed)
    expect(forwardedQuery('?%70age=1', ['page'])).toEqual({ ok: true, search: '?page=1' });
    expect(forwardedQuery('?%2570age=1', ['page'])).toEqual({ ok: false, refused: ['%70age'] });
    expect(forwardedQuery('?=x', ['page'])).toEqual({ ok: false, refused: [''] });
    expect(forwardedQuery('?a=1&b=2&a=3&traceId=x', ['b'])).toEqual({
      ok: false,
      refused: ['a', 'traceId'],
    });
    expect(forwardedQuery('?page=1', [])).toEqual({ ok: false, refused: ['page'] });
  });

  it('hides nothing behind ";": a value that holds one reaches the store encoded', () => {
    const forwarded = forwardedQuery('?page=1;_method=DELETE', ['page']);
    expect(forwarded).toEqual({ ok: true, search: '?page=1%3B_method%3DDELETE' });
    if (!forwarded.ok) return;
    expect(strictSemicolonParse(forwarded.search)).toEqual([['page', '1;_method=DELETE']]);
  });

  it("forwards every name with '*', still re-encoded", () => {
    expect(forwardedQuery('?a=1;b=2&c', '*')).toEqual({ ok: true, search: '?a=1%3Bb%3D2&c=' });
  });

  it('sends only what it checked, however the store parses the query', () => {
    const queryChars = fc.constantFrom(
      ...'ab_=&;+% #?/'.split(''),
      '%3B',
      '%26',
      '%3D',
      '%2B',
      '%20',
      '%25',
      '%61',
      '%ZZ',
      '%C3%BC',
      '%FF',
      'ü',
    );
    const allow = fc.oneof(fc.constant('*' as const), fc.subarray(['a', 'b', 'ab', 'a_b', '_']));
    fc.assert(
      fc.property(fc.array(queryChars, { maxLength: 24 }), allow, (parts, list) => {
        const search = `?${parts.join('')}`;
        const checked = [...new URLSearchParams(search)];
        const result = forwardedQuery(search, list);
        const unlisted = checked
          .map(([name]) => name)
          .filter((name) => list !== '*' && !list.includes(name));
        if (!result.ok) {
          expect(result.refused).toEqual([...new Set(unlisted)]);
          return;
        }
        expect(unlisted).toEqual([]);
        // A form parser, and a strict one that also splits on ";", both see the checked pairs.
        expect([...new URLSearchParams(result.search)]).toEqual(checked);
        expect(strictSemicolonParse(result.search)).toEqual(checked);
        // Forwarding is stable: the forwarded query forwards as itself.
        expect(forwardedQuery(result.search, list)).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('describeRefusedNames', () => {
  it('quotes, shortens and caps the names a caller sent', () => {
    expect(describeRefusedNames(['_method'])).toBe('"_method"');
    expect(describeRefusedNames(['a"b', 'x'.repeat(100)])).toBe(`"a\\"b", "${'x'.repeat(64)}…"`);
    expect(describeRefusedNames(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe(
      '"a", "b", "c", "d", "e" and 2 more',
    );
  });
});

describe('redactedQuery and redactedPath', () => {
  it('replace credential-like values, keep the rest, and encode as the store is sent', () => {
    expect(redactedQuery('')).toBe('');
    expect(redactedQuery('?page=2&access_token=abc&q=a+b')).toBe(
      '?page=2&access_token=%5BREDACTED%5D&q=a%20b',
    );
    expect(redactedPath('/traces/t1')).toBe('/traces/t1');
    expect(redactedPath('/traces?API_KEY=abc&userId=u1')).toBe(
      '/traces?API_KEY=%5BREDACTED%5D&userId=u1',
    );
  });
});
