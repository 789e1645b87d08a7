// The justification header the SDK (and the CLI's --reason) sends: printable
// ASCII as is, other text as an RFC 8187 ext-value the gateway decodes.
import { describe, expect, it } from 'vitest';
import { justificationHeader } from './read-trace.ts';

describe('justificationHeader', () => {
  it('sends printable ASCII as is, trimmed', () => {
    expect(justificationHeader('  INC-4211: bad tool call ')).toBe('INC-4211: bad tool call');
    expect(justificationHeader(undefined)).toBeUndefined();
  });

  it("percent-encodes other text as UTF-8 behind UTF-8''", () => {
    const why = 'Überprüfung: 顧客の報告 😀';
    const header = justificationHeader(why) ?? '';
    expect(header).toMatch(/^UTF-8''[\x21-\x7e]+$/);
    expect(decodeURIComponent(header.slice("UTF-8''".length))).toBe(why);
  });

  it("encodes ASCII that itself starts with UTF-8'' so it is not read as encoded", () => {
    const header = justificationHeader("utf-8''%41") ?? '';
    expect(decodeURIComponent(header.slice("UTF-8''".length))).toBe("utf-8''%41");
  });

  it('refuses empty text, control characters, bidirectional overrides and lone surrogates', () => {
    for (const bad of [
      '  ',
      'a\nb',
      'a\u0000b',
      'approve \u202Eeludom',
      'x\u2066y',
      'x\u2067y\u2069',
      'zero\u200Bwidth',
      'line\u2028sep',
      'a\ud800b',
    ])
      expect(() => justificationHeader(bad)).toThrow(TypeError);
    expect(justificationHeader('tab\tseparated')).toBe('tab\tseparated');
    expect(justificationHeader('ok 🙅‍♀️')).toMatch(/^UTF-8''/); // the joiner in the emoji is fine
    // Persian needs the non-joiner, Hebrew and Arabic input inserts direction marks.
    for (const why of ['می\u200cخواهم', 'בדיקה\u200f INC-9', '\u061cتحقيق'])
      expect(decodeURIComponent((justificationHeader(why) ?? '').slice("UTF-8''".length))).toBe(
        why,
      );
  });
});
