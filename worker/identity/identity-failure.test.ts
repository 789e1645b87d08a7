// Attacker-influenced text is bounded before it reaches logs and the audit,
// and bounding never leaves half a character behind.
import { describe, expect, it } from 'vitest';
import { truncate } from './identity-failure.ts';

describe('truncate', () => {
  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdef', 5)).toBe('abcde…');
    // The 200th unit is the first half of an emoji: the cut falls before it.
    expect(truncate(`${'a'.repeat(199)}😀😀`)).toBe(`${'a'.repeat(199)}…`);
    expect(truncate(`${'a'.repeat(198)}😀😀`)).toBe(`${'a'.repeat(198)}😀…`);
  });
});
