// Static bounds of a regular expression: how many characters a match can
// consume, and how far the engine may read past the start (lookahead, `\b`)
// or before it (lookbehind).
//
// Why: the streaming text scanner decides that "no match starts at position
// s" only once the text up to s + reach is in its buffer. That is what makes
// its output independent of chunking, and it needs every detector — built-in
// or custom from a profile — to have a finite reach. Unbounded quantifiers
// (`*`, `+`, `{n,}`) and backreferences are therefore rejected with a message
// that says what to write instead. The parser covers the JavaScript syntax
// accepted with the flags `imsu` (not `v`); it is conservative: when unsure
// it over-estimates.

export interface RegexBounds {
  /** Longest possible match, in UTF-16 code units. */
  maxLength: number;
  /** Farthest code unit past the match start that the engine may read. */
  reach: number;
  /** Farthest code unit before the match start that the engine may read. */
  behind: number;
}

interface Metrics {
  max: number;
  reach: number;
  behind: number;
}

const ZERO: Metrics = { max: 0, reach: 0, behind: 0 };

export class RegexBoundsError extends Error {
  override name = 'RegexBoundsError';
}

export function analyzeRegex(source: string, flags: string): RegexBounds {
  const parser = new BoundsParser(source, flags.includes('u'));
  const metrics = parser.parseDisjunction();
  if (parser.pos < source.length) parser.fail(`unexpected ")"`);
  return {
    maxLength: metrics.max,
    reach: Math.max(metrics.reach, metrics.max),
    behind: metrics.behind,
  };
}

class BoundsParser {
  readonly src: string;
  readonly unit: number;
  pos = 0;

  constructor(src: string, unicode: boolean) {
    this.src = src;
    this.unit = unicode ? 2 : 1;
  }

  fail(message: string): never {
    throw new RegexBoundsError(`${message} at position ${this.pos}`);
  }

  parseDisjunction(): Metrics {
    let result = this.parseAlternative();
    while (this.src[this.pos] === '|') {
      this.pos++;
      const next = this.parseAlternative();
      result = {
        max: Math.max(result.max, next.max),
        reach: Math.max(result.reach, next.reach),
        behind: Math.max(result.behind, next.behind),
      };
    }
    return result;
  }

  private parseAlternative(): Metrics {
    let offset = 0;
    let reach = 0;
    let behind = 0;
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const term = this.parseTerm();
      reach = Math.max(reach, offset + term.reach);
      behind = Math.max(behind, term.behind - offset);
      offset += term.max;
    }
    return { max: offset, reach: Math.max(reach, offset), behind };
  }

  private parseTerm(): Metrics {
    const atom = this.parseAtom();
    if (atom.quantifiable === false) return atom.metrics;
    const range = this.parseQuantifier();
    if (range === null) return atom.metrics;
    const [, maxRepeat] = range;
    const m = atom.metrics;
    if (maxRepeat === 0) return ZERO;
    return {
      max: m.max * maxRepeat,
      reach: m.max * (maxRepeat - 1) + Math.max(m.reach, m.max),
      behind: m.behind,
    };
  }

  /** Returns [min, max] or null when no quantifier follows. */
  private parseQuantifier(): [number, number] | null {
    const c = this.src[this.pos];
    let range: [number, number] | null = null;
    if (c === '*' || c === '+') {
      this.fail(`unbounded quantifier "${c}": write a bounded one such as {1,64}`);
    } else if (c === '?') {
      this.pos++;
      range = [0, 1];
    } else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (match === null) return null; // a literal "{" outside unicode mode
      const min = Number(match[1]);
      if (match[2] !== undefined && (match[3] === undefined || match[3] === '')) {
        this.fail(`unbounded quantifier "${match[0]}": give an upper bound`);
      }
      const max = match[3] === undefined ? min : Number(match[3]);
      this.pos += match[0].length;
      range = [min, max];
    }
    if (range !== null && this.src[this.pos] === '?') this.pos++; // lazy
    return range;
  }

  private parseAtom(): { metrics: Metrics; quantifiable: boolean } {
    const c = this.src[this.pos];
    const single = { max: this.unit, reach: this.unit, behind: 0 };
    switch (c) {
      case '^':
        this.pos++;
        return { metrics: { max: 0, reach: 0, behind: 1 }, quantifiable: false };
      case '$':
        this.pos++;
        return { metrics: { max: 0, reach: 1, behind: 0 }, quantifiable: false };
      case '.':
        this.pos++;
        return { metrics: single, quantifiable: true };
      case '[':
        this.skipClass();
        return { metrics: single, quantifiable: true };
      case '(':
        return this.parseGroup();
      case '\\':
        return this.parseEscape();
      case '*':
      case '+':
      case '?':
        return this.fail(`nothing to repeat before "${c}"`);
      default: {
        const code = this.src.charCodeAt(this.pos);
        this.pos++;
        const pair =
          this.unit === 2 &&
          code >= 0xd800 &&
          code <= 0xdbff &&
          (this.src.charCodeAt(this.pos) & 0xfc00) === 0xdc00;
        if (pair) this.pos++;
        return {
          metrics: pair ? { max: 2, reach: 2, behind: 0 } : { max: 1, reach: 1, behind: 0 },
          quantifiable: true,
        };
      }
    }
  }

  private parseGroup(): { metrics: Metrics; quantifiable: boolean } {
    const rest = this.src.slice(this.pos, this.pos + 4);
    let kind: 'group' | 'ahead' | 'behind' = 'group';
    if (rest.startsWith('(?:')) this.pos += 3;
    else if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      kind = 'ahead';
      this.pos += 3;
    } else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      kind = 'behind';
      this.pos += 4;
    } else if (rest.startsWith('(?<')) {
      const end = this.src.indexOf('>', this.pos);
      if (end < 0) this.fail('unterminated group name');
      this.pos = end + 1;
    } else if (rest.startsWith('(?')) {
      this.fail('unsupported group syntax');
    } else this.pos += 1;
    const inner = this.parseDisjunction();
    if (this.src[this.pos] !== ')') this.fail('missing ")"');
    this.pos++;
    if (kind === 'ahead') {
      return { metrics: { max: 0, reach: inner.reach, behind: inner.behind }, quantifiable: false };
    }
    if (kind === 'behind') {
      return {
        metrics: { max: 0, reach: 0, behind: inner.max + inner.behind },
        quantifiable: false,
      };
    }
    return { metrics: inner, quantifiable: true };
  }

  private parseEscape(): { metrics: Metrics; quantifiable: boolean } {
    const next = this.src[this.pos + 1];
    if (next === undefined) this.fail('trailing backslash');
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { metrics: { max: 0, reach: 1, behind: 1 }, quantifiable: false };
    }
    if (/[1-9]/.test(next) || next === 'k') this.fail('backreferences are not supported');
    const single = { max: this.unit, reach: this.unit, behind: 0 };
    if ((next === 'p' || next === 'P') && this.src[this.pos + 2] === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) this.fail('unterminated \\p{...}');
      this.pos = end + 1;
      return { metrics: single, quantifiable: true };
    }
    if (next === 'u' && this.src[this.pos + 2] === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) this.fail('unterminated \\u{...}');
      this.pos = end + 1;
      return { metrics: single, quantifiable: true };
    }
    const fixed = /^\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|c[A-Za-z]|.)/s.exec(
      this.src.slice(this.pos),
    );
    this.pos += fixed === null ? 2 : fixed[0].length;
    return { metrics: single, quantifiable: true };
  }

  private skipClass(): void {
    this.pos++; // [
    if (this.src[this.pos] === '^') this.pos++;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === ']') {
        this.pos++;
        return;
      } else this.pos++;
    }
    this.fail('unterminated character class');
  }
}
