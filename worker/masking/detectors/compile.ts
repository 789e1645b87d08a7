// Turns detector specs (built-in or custom from a profile) into ready-to-run
// detectors: a global RegExp, its static reach (regex-bounds.ts), and the
// optional prerequisites (trigger, character counts), anchor, validator and
// normaliser.
//
// Compilation happens once per profile, at configuration time; an unbounded
// or otherwise unusable custom pattern is a configuration error with a
// message that names the problem.
import { analyzeRegex } from '../regex-bounds.ts';
import type { Acceptor } from './checks.ts';
import type { DetectorSpec } from './catalog.ts';
import type { TextNeeds } from './text-probe.ts';

/** Characters of already-emitted text the scanner keeps for lookbehind. */
export const LOOKBEHIND_CONTEXT = 64;

export interface CompiledDetector {
  readonly entity: string;
  /** Global; with `d` when the pattern has a `secret` group. */
  readonly regex: RegExp;
  /** A match starting at s is decided once the text up to s + reach is known. */
  readonly reach: number;
  readonly hasSecretGroup: boolean;
  /** Source of a necessary-condition regex (joined into the set's gate), or null. */
  readonly trigger: string | null;
  readonly triggerRegex: RegExp | null;
  readonly needs: TextNeeds | null;
  readonly accept: Acceptor | null;
  readonly normalize: ((value: string) => string) | null;
  readonly numeric: boolean;
  /** The anchor finder (global) and a sticky copy of `regex`, when the spec has an anchor. */
  readonly anchor: { finder: RegExp; maxOffset: number; sticky: RegExp } | null;
}

export function compileDetector(spec: DetectorSpec): CompiledDetector {
  const flags = spec.flags ?? '';
  const bounds = analyzeRegex(spec.source, flags);
  if (bounds.behind > LOOKBEHIND_CONTEXT) {
    throw new Error(
      `lookbehind reaches ${bounds.behind} characters back; at most ${LOOKBEHIND_CONTEXT}`,
    );
  }
  if (bounds.maxLength === 0) throw new Error('the pattern can only match empty text');
  const hasSecretGroup = spec.source.includes('(?<secret>');
  const regex = new RegExp(spec.source, `${flags}g${hasSecretGroup ? 'd' : ''}`);
  return {
    entity: spec.entity,
    regex,
    // +1: the scanner must also see the character after the farthest read.
    reach: bounds.reach + 1,
    hasSecretGroup,
    trigger: spec.trigger ?? null,
    triggerRegex: spec.trigger === undefined ? null : new RegExp(spec.trigger),
    needs: spec.needs ?? null,
    accept: spec.accept ?? null,
    normalize: spec.normalize ?? null,
    numeric: spec.numeric === true,
    anchor:
      spec.anchor === undefined
        ? null
        : {
            finder: new RegExp(spec.anchor.source, 'g'),
            maxOffset: spec.anchor.maxOffset,
            sticky: new RegExp(spec.source, `${flags}y${hasSecretGroup ? 'd' : ''}`),
          },
  };
}
