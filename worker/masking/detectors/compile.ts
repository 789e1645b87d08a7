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
  const trigger =
    spec.trigger ?? (spec.needs === undefined ? literalPrefixTrigger(spec.source, flags) : null);
  return {
    entity: spec.entity,
    regex,
    // +1: the scanner must also see the character after the farthest read.
    reach: bounds.reach + 1,
    hasSecretGroup,
    trigger,
    triggerRegex: trigger === null ? null : new RegExp(trigger),
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

/** Characters that stand for themselves outside a class, with or without the `u` flag. */
const LITERAL = /^[A-Za-z0-9_=:@#%&,;'"<>~!/ -]$/;

/**
 * A trigger for a pattern without one (custom detectors): the literal text
 * every match starts with, when the pattern starts with at least three
 * literal characters and has no top-level alternative. Null otherwise.
 * Every match contains it, so it is a sound trigger (see DetectorSpec.trigger).
 */
export function literalPrefixTrigger(source: string, flags: string): string | null {
  if (hasTopLevelAlternative(source)) return null;
  let end = 0;
  while (end < source.length && LITERAL.test(source[end] ?? '')) end++;
  // A quantifier after the last literal character makes it optional or repeated.
  if (end < source.length && '?*+{'.includes(source[end] ?? '')) end--;
  if (end < 3) return null;
  const prefix = source.slice(0, end);
  if (!flags.includes('i')) return prefix;
  // Unicode case folding matches more than the ASCII pairs (ſ for s, K for k).
  if (flags.includes('u') || flags.includes('v')) return null;
  return [...prefix]
    .map((c) =>
      c.toLowerCase() === c.toUpperCase() ? c : `[${c.toUpperCase()}${c.toLowerCase()}]`,
    )
    .join('');
}

function hasTopLevelAlternative(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
