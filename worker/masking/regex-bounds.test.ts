import { describe, expect, it } from 'vitest';
import { analyzeRegex } from './regex-bounds.ts';

describe('analyzeRegex', () => {
  it('counts literal characters, classes and bounded repeats', () => {
    expect(analyzeRegex(String.raw`EMP-\d{6}`, '')).toEqual({
      maxLength: 10,
      reach: 10,
      behind: 0,
    });
    expect(analyzeRegex('[a-z]{2,5}x?', '').maxLength).toBe(6);
  });

  it('takes the longest alternative and nested groups', () => {
    expect(analyzeRegex('(?:ab|c(?:de){1,3})f', '').maxLength).toBe(8);
  });

  it('adds lookahead and word boundaries to the reach, not the length', () => {
    const bounds = analyzeRegex(String.raw`ab(?=cde)\b`, '');
    expect(bounds.maxLength).toBe(2);
    expect(bounds.reach).toBe(5);
  });

  it('reports how far lookbehind reads before the match', () => {
    expect(analyzeRegex(String.raw`(?<![\w-]{3})x`, '').behind).toBe(3);
  });

  it('counts two code units per character in unicode mode', () => {
    expect(analyzeRegex('.{3}', 'u').maxLength).toBe(6);
    expect(analyzeRegex('😀{2}', 'u').maxLength).toBe(4);
  });

  it('rejects unbounded quantifiers with a hint', () => {
    expect(() => analyzeRegex(String.raw`\d+`, '')).toThrow(/unbounded quantifier "\+".*\{1,64\}/);
    expect(() => analyzeRegex('a*', '')).toThrow(/unbounded/);
    expect(() => analyzeRegex('a{2,}', '')).toThrow(/upper bound/);
  });

  it('rejects backreferences', () => {
    expect(() => analyzeRegex(String.raw`(a)\1`, '')).toThrow(/backreferences/);
  });

  it('treats an escaped quantifier character as a literal', () => {
    expect(analyzeRegex(String.raw`a\+b\*`, '').maxLength).toBe(4);
  });
});
