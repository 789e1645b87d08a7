// The compiled form of a masking profile that the format adapters run on,
// and the two text-masking primitives they share: masking a complete string
// and masking a stream of text through a bounded window.
import { LOOKBEHIND_CONTEXT, type DetectorSet } from './scan-text.ts';
import { MaskOutput, type MaskSink } from './output.ts';
import type { PathMatcher } from './path-pattern.ts';
import type { Operator, Replacer } from './operators.ts';

/** Field rule actions, as small integers for the hot path. */
export const SCAN = 0;
export const KEEP = 1;
export const REDACT = 2;
export const PSEUDONYMISE = 3;
export type FieldAction = typeof SCAN | typeof KEEP | typeof REDACT | typeof PSEUDONYMISE;

export interface MaskEngine {
  readonly detectors: DetectorSet;
  /** Detectors that also look at JSON numbers (card numbers). */
  readonly numericDetectors: DetectorSet;
  readonly replacer: Replacer;
  /** The keyed-hash operator used by `pseudonymise` field rules. */
  readonly pseudonymOperator: Operator;
  readonly matcher: PathMatcher;
  readonly ruleActions: readonly FieldAction[];
  readonly ruleEntities: readonly string[];
  readonly scanKeys: boolean;
  readonly scanJsonInStrings: boolean;
  readonly maxJsonInStringDepth: number;
  readonly maxValueChars: number;
  readonly maxDepth: number;
  readonly oversizedValues: 'scan' | 'fail';
  readonly needsHmacKey: boolean;
  /**
   * Member names already scanned and found clean (bounded). Names repeat
   * across every object of a trace; the result depends only on the name and
   * the profile, so it is shared by all sessions of the profile.
   */
  readonly cleanKeys: Set<string>;
  /**
   * The masker's shortcuts: whole JSON texts held in strings checked at once
   * and skipped or left unscanned, clean member names remembered. They only
   * save work; off (tests, diagnosis), every token is lexed and scanned and
   * the output must be the same.
   */
  readonly shortcuts: boolean;
}

const CLEAN_KEY_LIMIT = 4096;

/** Masks a member name, remembering the clean ones. */
export function maskMemberName(engine: MaskEngine, name: string): MaskOutput | null {
  if (!engine.shortcuts) return maskCompleteText(engine, name);
  if (engine.cleanKeys.has(name)) return null;
  const masked = maskCompleteText(engine, name);
  if (masked === null && name.length <= 256) {
    if (engine.cleanKeys.size >= CLEAN_KEY_LIMIT) engine.cleanKeys.clear();
    engine.cleanKeys.add(name);
  }
  return masked;
}

/** Masks a complete text; null when nothing was found (the caller keeps the original). */
export function maskCompleteText(engine: MaskEngine, text: string): MaskOutput | null {
  if (engine.detectors.isEmpty) return null;
  let output: MaskOutput | null = null;
  let emitted = 0;
  engine.detectors.scan(text, 0, true, (detector, secretStart, secretEnd) => {
    output ??= new MaskOutput();
    output.text(text.slice(emitted, secretStart));
    engine.replacer.replace(
      detector.entity,
      text.slice(secretStart, secretEnd),
      detector.normalize,
      output,
    );
    emitted = secretEnd;
  });
  if (output !== null) (output as MaskOutput).text(text.slice(emitted));
  return output;
}

/**
 * Masks text that arrives in pieces, holding back only what a detector could
 * still extend (the largest detector reach) plus a batch, so memory is
 * bounded and the output does not depend on where the pieces were cut.
 */
export class StreamingTextScanner {
  private readonly engine: MaskEngine;
  private readonly sink: MaskSink;
  private readonly batch: number;
  private buffer = '';
  private pos = 0;

  constructor(engine: MaskEngine, sink: MaskSink, batch = 32_768) {
    this.engine = engine;
    this.sink = sink;
    this.batch = batch;
  }

  push(text: string): void {
    if (this.engine.detectors.isEmpty) {
      this.sink.text(text);
      return;
    }
    this.buffer += text;
    if (this.buffer.length - this.pos >= this.engine.detectors.maxReach + this.batch)
      this.process(false);
  }

  end(): void {
    if (!this.engine.detectors.isEmpty) this.process(true);
    this.buffer = '';
    this.pos = 0;
  }

  private process(final: boolean): void {
    const buffer = this.buffer;
    const sink = this.sink;
    const replacer = this.engine.replacer;
    let emitted = this.pos;
    const decided = this.engine.detectors.scan(buffer, this.pos, final, (detector, a, b) => {
      sink.text(buffer.slice(emitted, a));
      replacer.replace(detector.entity, buffer.slice(a, b), detector.normalize, sink);
      emitted = b;
    });
    sink.text(buffer.slice(emitted, decided));
    const keep = Math.max(0, decided - LOOKBEHIND_CONTEXT);
    this.buffer = buffer.slice(keep);
    this.pos = decided - keep;
  }
}
