// Field paths: the small JSONPath subset that profiles use to name fields,
// and a matcher that follows them while the JSON streams by.
//
// Syntax (a leading `$` is optional; `a.b` means `$.a.b`):
//   .name  or  ['name']  ["name"]   an object member (quote names with dots: ['host.name'])
//   .*     or  [*]                  any member or array element
//   [3]                             array element 3
//   ..name  ..*  ..['x']            at any depth below (JSONPath recursive descent)
// Paths continue into JSON held in strings: for a Langfuse observation whose
// `metadata` is a JSON string, `$.observations[*].metadata.resourceAttributes['host.name']`
// reaches into it.
//
// Matching is an NFA per rule, with the state set of each rule as a bitmask
// (at most 30 segments per path). Each JSON frame keeps its state sets; a
// member key advances them one step, memoised on the parent (bounded), so
// the cost per key is one map lookup in the common case of repeated shapes.

export type PathSegment =
  | { kind: 'key'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'any' }
  | { kind: 'descend' };

export type PathComponent = string | number;

const MAX_SEGMENTS = 30;

export function parsePathPattern(pattern: string): PathSegment[] {
  let src = pattern.trim();
  if (src.startsWith('$')) src = src.slice(1);
  else if (!src.startsWith('.') && !src.startsWith('[')) src = `.${src}`;
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at position ${i + (pattern.length - src.length)}`);
  };
  while (i < src.length) {
    if (src.startsWith('..', i)) {
      segments.push({ kind: 'descend' });
      i += 2;
      if (i >= src.length) fail('a path cannot end with ".."');
      if (src[i] === '[') continue;
      i = readName(src, i, segments, fail);
    } else if (src[i] === '.') {
      i = readName(src, i + 1, segments, fail);
    } else if (src[i] === '[') {
      i = readBracket(src, i, segments, fail);
    } else fail('expected ".", ".." or "["');
  }
  if (segments.length === 0) fail('empty path (use "$.*" for every top-level field)');
  if (segments[segments.length - 1]?.kind === 'descend') fail('a path cannot end with ".."');
  if (segments.length > MAX_SEGMENTS) fail(`more than ${MAX_SEGMENTS} segments`);
  return segments;
}

function readName(
  src: string,
  start: number,
  out: PathSegment[],
  fail: (message: string) => never,
): number {
  let end = start;
  while (end < src.length && src[end] !== '.' && src[end] !== '[') end++;
  const name = src.slice(start, end);
  if (name === '') fail('missing member name');
  if (name.includes(']')) fail('unexpected "]"');
  out.push(name === '*' ? { kind: 'any' } : { kind: 'key', name });
  return end;
}

function readBracket(
  src: string,
  start: number,
  out: PathSegment[],
  fail: (message: string) => never,
): number {
  const quote = src[start + 1];
  if (quote === "'" || quote === '"') {
    let name = '';
    let i = start + 2;
    for (;;) {
      const c = src[i];
      if (c === undefined) fail('unterminated quoted name');
      if (c === '\\') {
        name += src[i + 1] ?? '';
        i += 2;
      } else if (c === quote) break;
      else {
        name += c;
        i++;
      }
    }
    if (src[i + 1] !== ']') fail('expected "]" after quoted name');
    out.push({ kind: 'key', name });
    return i + 2;
  }
  const close = src.indexOf(']', start);
  if (close < 0) fail('missing "]"');
  const inner = src.slice(start + 1, close).trim();
  if (inner === '*') out.push({ kind: 'any' });
  else if (/^\d{1,9}$/.test(inner)) out.push({ kind: 'index', index: Number(inner) });
  else fail(`"[${inner}]": use [*], [<index>] or ['<name>']`);
  return close + 1;
}

/** State sets of all rules (one bitmask per rule), immutable, with their memoised successors. */
export class PathStates {
  readonly bits: Uint32Array;
  /** The first rule (in priority order) whose path ends here, or -1. */
  readonly accepting: number;
  readonly next = new Map<PathComponent, PathStates>();
  /** The names of the key segments the rules wait for here (computed on first step). */
  keyNames: readonly string[] | null = null;
  /** The successor for any member name not in keyNames (computed on first use). */
  otherNext: PathStates | null = null;

  constructor(bits: Uint32Array, accepting: number) {
    this.bits = bits;
    this.accepting = accepting;
  }
}

const MEMO_LIMIT = 256;

export class PathMatcher {
  readonly usesIndex: boolean;
  readonly root: PathStates;
  /** No rule can match at or below here: stepping is free. */
  readonly empty: PathStates;
  private readonly rules: readonly (readonly PathSegment[])[];

  constructor(rules: readonly (readonly PathSegment[])[]) {
    this.rules = rules;
    this.usesIndex = rules.some((segments) => segments.some((s) => s.kind === 'index'));
    this.empty = new PathStates(new Uint32Array(rules.length), -1);
    const root = new Uint32Array(rules.length);
    rules.forEach((segments, r) => {
      root[r] = this.closure(segments, 1);
    });
    this.root = this.make(root);
  }

  firstAccepting(states: PathStates): number {
    return states.accepting;
  }

  /** The states after descending into `component` (a member name, or an array index). */
  step(states: PathStates, component: PathComponent): PathStates {
    if (states === this.empty) return states;
    if (typeof component === 'string') {
      // A name no key segment waits for steps like any other such name.
      const names = states.keyNames ?? this.waitingNames(states);
      if (!names.includes(component)) return (states.otherNext ??= this.successor(states, null));
    }
    const key = typeof component === 'number' && !this.usesIndex ? -1 : component;
    const hit = states.next.get(key);
    if (hit !== undefined) return hit;
    const result = this.successor(states, component);
    if (states.next.size < MEMO_LIMIT) states.next.set(key, result);
    return result;
  }

  private waitingNames(states: PathStates): readonly string[] {
    const names: string[] = [];
    for (let r = 0; r < this.rules.length; r++) {
      const segments = this.rules[r];
      const current = states.bits[r] ?? 0;
      if (segments === undefined) continue;
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (((current >>> i) & 1) === 1 && segment?.kind === 'key') names.push(segment.name);
      }
    }
    states.keyNames = names;
    return names;
  }

  /** The states after `component`; null stands for a member name that no key segment matches. */
  private successor(states: PathStates, component: PathComponent | null): PathStates {
    const next = new Uint32Array(this.rules.length);
    for (let r = 0; r < this.rules.length; r++) {
      const segments = this.rules[r];
      const current = states.bits[r] ?? 0;
      if (segments === undefined || current === 0) continue;
      let bits = 0;
      for (let i = 0; i < segments.length; i++) {
        if (((current >>> i) & 1) === 0) continue;
        const segment = segments[i];
        if (segment === undefined) continue;
        if (segment.kind === 'descend') bits |= 1 << i;
        else if (segmentMatches(segment, component)) bits |= 1 << (i + 1);
      }
      next[r] = this.closure(segments, bits);
    }
    return this.make(next);
  }

  /**
   * False when rule `r`, from `states`, cannot match any value below them
   * whose path components inside come only from `json` (a JSON text without
   * backslashes): a member name the rule still needs does not occur in it.
   * True when it may (conservative).
   */
  mayMatchBelow(states: PathStates, r: number, json: string): boolean {
    const segments = this.rules[r];
    if (segments === undefined) return true;
    // Positions still to match; the accepting bit is this value itself, not below it.
    const pending = (states.bits[r] ?? 0) & ((1 << segments.length) - 1);
    if (pending === 0) return false;
    let lastKey = -1;
    for (let i = 0; i < segments.length; i++) if (segments[i]?.kind === 'key') lastKey = i;
    const segment = segments[lastKey];
    // Every way on from a pending position must match the last key segment below.
    if (segment?.kind !== 'key' || 31 - Math.clz32(pending) > lastKey) return true;
    return json.includes(segment.name);
  }

  private closure(segments: readonly PathSegment[], bits: number): number {
    let result = bits;
    for (let i = 0; i < segments.length; i++) {
      if ((result >>> i) & 1 && segments[i]?.kind === 'descend') result |= 1 << (i + 1);
    }
    return result >>> 0;
  }

  private make(bits: Uint32Array): PathStates {
    if (bits.every((b) => b === 0)) return this.empty;
    let accepting = -1;
    for (let r = 0; r < this.rules.length && accepting < 0; r++) {
      const segments = this.rules[r];
      if (segments !== undefined && ((bits[r] ?? 0) >>> segments.length) & 1) accepting = r;
    }
    return new PathStates(bits, accepting);
  }
}

function segmentMatches(segment: PathSegment, component: PathComponent | null): boolean {
  switch (segment.kind) {
    case 'any':
      return true;
    case 'key':
      return component !== null && component === segment.name;
    case 'index':
      return component !== null && component === segment.index;
    case 'descend':
      return true;
  }
}
