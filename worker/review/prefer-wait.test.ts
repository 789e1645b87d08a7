// Parsing `Prefer: wait=N` (RFC 7240): well-formed, odd and malformed headers.
import { describe, expect, it } from 'vitest';
import { parsePrefer, preferredWaitSeconds } from './prefer-wait.ts';

describe('preferredWaitSeconds', () => {
  it('reads wait=N, capped at the maximum', () => {
    expect(preferredWaitSeconds('wait=10', 60)).toBe(10);
    expect(preferredWaitSeconds('wait=600', 60)).toBe(60);
    expect(preferredWaitSeconds('wait=0', 60)).toBe(0);
  });

  it('finds wait among other preferences, whatever the case, spacing and parameters', () => {
    expect(preferredWaitSeconds('respond-async, WAIT = 15', 60)).toBe(15);
    expect(preferredWaitSeconds('handling=lenient; foo="a,b", wait="20"', 60)).toBe(20);
    expect(preferredWaitSeconds('wait=5;param=1', 60)).toBe(5);
  });

  it('counts only the first wait, even when that one is malformed', () => {
    expect(preferredWaitSeconds('wait=5, wait=50', 60)).toBe(5);
    expect(preferredWaitSeconds('wait=soon, wait=50', 60)).toBe(0);
  });

  it('ignores what it cannot read, so a bad header never fails a read', () => {
    for (const header of [
      null,
      '',
      'wait',
      'wait=',
      'wait=-1',
      'wait=1.5',
      'wait=1e3',
      'wait=99999999999',
      '"wait=3"',
      `wait=5, ${'x'.repeat(3000)}`,
    ]) {
      expect(preferredWaitSeconds(header, 60)).toBe(0);
    }
  });

  it('treats a negative maximum as no waiting at all', () => {
    expect(preferredWaitSeconds('wait=10', -1)).toBe(0);
  });
});

describe('parsePrefer', () => {
  it('keeps preferences in order with their values, quoted values unescaped', () => {
    expect([...parsePrefer('respond-async, return=minimal, x="a\\"b"')]).toEqual([
      ['respond-async', null],
      ['return', 'minimal'],
      ['x', 'a"b'],
    ]);
  });
});
