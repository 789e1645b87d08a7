// Operators: what a detected or rule-selected value becomes.
//
//   replace   `[EMAIL]`             the entity type only
//   partial   `****-****-****-1111`  letters/digits masked except the last
//                                    (and optionally first) N; separators kept;
//                                    a value too short to keep anything is masked whole
//   hash      `[EMAIL:3f9a1c2b7d0e]` HMAC-SHA256 over entity + normalised value
//                                    with the gateway's secret: stable per value,
//                                    useless without the key
//
// The Replacer counts every replacement on the sink, so counts only include
// what was actually written out.
import type { MaskSink } from './output.ts';

export type Operator =
  | { type: 'replace' }
  | { type: 'partial'; keepLast: number; keepFirst: number; maskChar: string }
  | { type: 'hash'; length: number };

export class Replacer {
  private readonly operators: ReadonlyMap<string, Operator>;
  private readonly fallback: Operator;

  constructor(operators: ReadonlyMap<string, Operator>, fallback: Operator) {
    this.operators = operators;
    this.fallback = fallback;
  }

  operatorFor(entity: string): Operator {
    return this.operators.get(entity) ?? this.fallback;
  }

  /** Writes the replacement of `value` (raw text, not escaped) to the sink. */
  replace(
    entity: string,
    value: string,
    normalize: ((value: string) => string) | null,
    sink: MaskSink,
    operator: Operator = this.operatorFor(entity),
  ): void {
    sink.count(entity);
    switch (operator.type) {
      case 'replace':
        sink.text(`[${entity}]`);
        return;
      case 'partial':
        sink.text(partialMask(value, operator.keepFirst, operator.keepLast, operator.maskChar));
        return;
      case 'hash':
        sink.token({
          entity,
          value: normalize === null ? value : normalize(value),
          hexLength: operator.length,
        });
        return;
    }
  }
}

/** Letters and digits (ASCII, and anything non-ASCII) are masked; ASCII punctuation and spaces stay. */
function isMaskable(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code > 127
  );
}

export function partialMask(
  value: string,
  keepFirst: number,
  keepLast: number,
  maskChar: string,
): string {
  let total = 0;
  for (let i = 0; i < value.length; i++) if (isMaskable(value.charCodeAt(i))) total++;
  const maskAll = total <= keepFirst + keepLast;
  let seen = 0;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (!isMaskable(code)) {
      out += value[i];
      continue;
    }
    const keep = !maskAll && (seen < keepFirst || seen >= total - keepLast);
    out += keep ? value[i] : maskChar;
    seen++;
  }
  return out;
}
