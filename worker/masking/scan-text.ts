// Finds detector matches in a text, left to right, and says how far the
// answer is final.
//
// Selection rule (the same for a whole string and for a streaming window):
// from the scan position, every detector proposes its leftmost valid match;
// the one that starts first wins, then the longest, then catalog order; the
// scan resumes after it. In a window that is not the end of the input, a
// detector's answer about position s is only trusted when the window holds
// the text up to s + reach (its static bound), so a match that could still
// grow or appear with more input is never decided early. That rule is what
// makes streaming output identical for every chunking.
import { LOOKBEHIND_CONTEXT, type CompiledDetector } from './detectors/compile.ts';
import { searchableAcrossJson } from './detectors/boundary.ts';
import { countTextFacts, meetsNeeds, type TextFacts } from './detectors/text-probe.ts';

export { LOOKBEHIND_CONTEXT };

export interface FindingHandler {
  (detector: CompiledDetector, secretStart: number, secretEnd: number): void;
}

const NONE = -1;
const FACTS_LIMIT = 4096;
/** Trigger positions tested one by one before the rest are searched for directly. */
const MAX_TRIGGER_POSITIONS = 8;

interface TriggerGroup {
  /** Global: every trigger of the members, joined. */
  regex: RegExp;
  /** Indices of the detectors whose triggers it joins. */
  members: number[];
}

/** Texts up to this long are searched for all triggers at once (one call). */
const SHORT_TEXT = 256;

export class DetectorSet {
  readonly detectors: readonly CompiledDetector[];
  /** The largest reach: how much text a streaming scanner holds back. */
  readonly maxReach: number;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly secretStart: Int32Array;
  private readonly secretEnd: Int32Array;
  private readonly active: Int32Array;
  /**
   * One search for every trigger: each match is a position where at least
   * one trigger of the group matches, and there the sticky copies say which
   * ones. A short text without any trigger costs one native search for all
   * those detectors. On longer texts, triggers that start with a literal
   * character are searched together and each other one alone: a class at the
   * start of one alternative ([A-Z], [Bb]) slows the search for all of them.
   */
  private readonly triggerGroup: TriggerGroup[];
  private readonly triggerGroups: TriggerGroup[];
  /** Per detector: a sticky copy of its trigger, or null. */
  private readonly triggerAt: (RegExp | null)[];
  /** Per detector: a global copy of its trigger, or null. */
  private readonly triggerFrom: (RegExp | null)[];
  /**
   * Necessary for every `needs` detector: two digits at most two separators
   * apart (card, phone, SSN, IPv4), or two colons at most four apart (IPv6).
   * Used on texts too long to count; shorter ones are counted (text-probe.ts).
   */
  private readonly needsGate: RegExp | null;
  /**
   * Every trigger and the needs gate in one search: no match, and none of
   * the gated detectors can match (used on short texts).
   */
  private readonly gate: RegExp | null;
  /** Detectors with neither a trigger nor needs (custom ones): always searched. */
  private readonly ungated: number;
  /** Per detector: 1 when its trigger was seen in the text being scanned. */
  private readonly triggered: Uint8Array;
  private readonly facts: TextFacts = { digits: 0, digitRun: 0, dots: 0, colons: 0 };
  /** Per detector: its regex may be searched over a whole JSON text (detectors/boundary.ts). */
  private readonly acrossJson: boolean[];

  constructor(detectors: readonly CompiledDetector[]) {
    this.detectors = detectors;
    this.maxReach = detectors.reduce((max, d) => Math.max(max, d.reach), 0);
    const n = detectors.length;
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.secretStart = new Int32Array(n);
    this.secretEnd = new Int32Array(n);
    this.active = new Int32Array(n);
    const group = (members: number[]): TriggerGroup => ({
      regex: new RegExp(members.map((d) => `(?:${detectors[d]?.trigger ?? ''})`).join('|'), 'g'),
      members,
    });
    const gated = detectors.flatMap((d, i) => (d.trigger === null ? [] : [i]));
    const literal = gated.filter((d) => /^[\w@:\-/ ]/.test(detectors[d]?.trigger ?? ''));
    this.triggerGroup = gated.length === 0 ? [] : [group(gated)];
    this.triggerGroups = [
      ...(literal.length === 0 ? [] : [group(literal)]),
      ...gated.filter((d) => !literal.includes(d)).map((d) => group([d])),
    ];
    this.triggerAt = detectors.map((d) => (d.trigger === null ? null : new RegExp(d.trigger, 'y')));
    this.triggerFrom = detectors.map((d) =>
      d.trigger === null ? null : new RegExp(d.trigger, 'g'),
    );
    this.needsGate = detectors.some((d) => d.needs !== null)
      ? new RegExp(String.raw`\d[ ().-]{0,2}\d|:[^:]{0,4}:`)
      : null;
    this.gate =
      this.needsGate === null && gated.length === 0
        ? null
        : new RegExp(
            [...gated.map((d) => `(?:${detectors[d]?.trigger ?? ''})`), this.needsGate?.source]
              .filter((source) => source !== undefined)
              .join('|'),
          );
    this.ungated = detectors.filter((d) => d.trigger === null && d.needs === null).length;
    this.triggered = new Uint8Array(n);
    this.acrossJson = detectors.map((d) =>
      searchableAcrossJson(d.regex.source, d.regex.flags, d.numeric),
    );
  }

  /**
   * False when no detector can match in any string value, member name or
   * number of `json`, a JSON text without backslashes (so each of those is a
   * substring of it as written): each detector's trigger or needs fail on
   * all of `json`, or its regex finds nothing in all of it (where that is
   * sound: detectors/boundary.ts). True when one may. Not re-entrant with scan.
   */
  mayMatchInJson(json: string): boolean {
    const n = this.detectors.length;
    if (n === 0) return false;
    this.findTriggers(json);
    // Needs are not counted: a JSON text has the colons and digits they ask for.
    for (let d = 0; d < n; d++) {
      const detector = this.detectors[d];
      if (detector === undefined) continue;
      if (detector.trigger !== null && this.triggered[d] !== 1) continue;
      if (this.acrossJson[d] !== true || this.nextMatch(detector, json, 0) !== null) return true;
    }
    return false;
  }

  get isEmpty(): boolean {
    return this.detectors.length === 0;
  }

  /**
   * Reports the findings that start in text[from..decided) in order and returns
   * `decided`: text.length when `final`, else the position before which
   * nothing can change with more input. text[from - LOOKBEHIND_CONTEXT, from)
   * must be the real preceding text (or the start of the input).
   * Not re-entrant: the handler must not scan.
   */
  scan(text: string, from: number, final: boolean, onFinding: FindingHandler): number {
    const length = text.length;
    // Most short texts (ids, names, timestamps) fail every trigger and need:
    // one native search decides that for all detectors.
    if (length <= SHORT_TEXT && this.ungated === 0 && !(this.gate?.test(text) ?? false))
      return final ? length : Math.max(from, length - this.maxReach);
    const seen = this.findTriggers(text);
    // Needs: counted on short texts; on long ones the counts would pass anyway.
    let needsMet = false;
    let counted = false;
    if (this.needsGate !== null) {
      if (length <= FACTS_LIMIT) {
        countTextFacts(text, this.facts);
        counted = true;
        needsMet = true;
      } else needsMet = this.needsGate.test(text);
    }
    let activeCount = 0;
    let limit = final ? Infinity : length;
    const triggered = this.triggered;
    for (let d = 0; d < this.detectors.length; d++) {
      const detector = this.detectors[d];
      if (detector === undefined) continue;
      const possible =
        detector.trigger !== null
          ? seen > 0 && triggered[d] === 1
          : detector.needs === null ||
            (needsMet && (!counted || meetsNeeds(this.facts, detector.needs)));
      if (possible) {
        this.active[activeCount++] = d;
        this.start[d] = -2; // not searched yet
      } else if (!final) {
        limit = Math.min(limit, length - detector.reach);
      }
    }
    if (activeCount === 0) return final ? length : Math.max(from, limit);
    let p = from;
    for (;;) {
      let best = -1;
      let bestLimit = limit;
      for (let k = 0; k < activeCount; k++) {
        const d = this.active[k] ?? 0;
        if (this.start[d] === -2 || ((this.start[d] ?? 0) >= 0 && (this.start[d] ?? 0) < p)) {
          this.search(d, text, p, final);
        }
        const s = this.start[d] ?? NONE;
        if (s === NONE) {
          if (!final) {
            const detector = this.detectors[d];
            if (detector !== undefined) bestLimit = Math.min(bestLimit, length - detector.reach);
          }
          continue;
        }
        if (best < 0 || this.better(d, best)) best = d;
      }
      if (best >= 0 && (this.start[best] ?? 0) < bestLimit) {
        const detector = this.detectors[best];
        if (detector === undefined) break;
        onFinding(detector, this.secretStart[best] ?? 0, this.secretEnd[best] ?? 0);
        p = this.end[best] ?? p;
        continue;
      }
      return final
        ? length
        : Math.max(p, Math.min(bestLimit, best >= 0 ? (this.start[best] ?? 0) : bestLimit));
    }
    return p;
  }

  /**
   * Marks in `triggered` the detectors whose trigger occurs in the text and
   * returns how many. Every position where a group's joined regex matches is
   * one where a trigger of the group matches; the sticky copies tell which.
   * After a few positions the group's remaining triggers are searched for
   * directly, so a text full of one trigger does not cost a test per occurrence.
   */
  private findTriggers(text: string): number {
    const triggered = this.triggered;
    triggered.fill(0);
    const groups = text.length > SHORT_TEXT ? this.triggerGroups : this.triggerGroup;
    let seen = 0;
    for (const group of groups) {
      const all = group.regex;
      let positions = 0;
      let left = group.members.length;
      all.lastIndex = 0;
      for (let found = all.exec(text); found !== null; found = all.exec(text)) {
        const at = found.index;
        const many = ++positions > MAX_TRIGGER_POSITIONS;
        for (const d of group.members) {
          if (triggered[d] === 1) continue;
          // Sticky: does it match here? Past the limit, global: anywhere from here on.
          const trigger = many ? this.triggerFrom[d] : this.triggerAt[d];
          if (trigger === null || trigger === undefined) continue;
          trigger.lastIndex = at;
          if (trigger.test(text)) {
            triggered[d] = 1;
            seen++;
            left--;
          }
        }
        if (many || left === 0) break;
        all.lastIndex = at + 1;
      }
    }
    return seen;
  }

  private better(a: number, b: number): boolean {
    const sa = this.start[a] ?? 0;
    const sb = this.start[b] ?? 0;
    if (sa !== sb) return sa < sb;
    const la = (this.end[a] ?? 0) - sa;
    const lb = (this.end[b] ?? 0) - sb;
    if (la !== lb) return la > lb;
    return a < b;
  }

  /** The leftmost raw match at or after `from`, by regex search or by anchor jumps. */
  private nextMatch(
    detector: CompiledDetector,
    text: string,
    from: number,
  ): RegExpExecArray | null {
    const anchor = detector.anchor;
    if (anchor === null) {
      detector.regex.lastIndex = from;
      return detector.regex.exec(text);
    }
    // Every match holds an anchor occurrence within maxOffset of its start, so
    // only the positions just before each occurrence can start one; try them in order.
    const finder = anchor.finder;
    let tried = from - 1;
    finder.lastIndex = from;
    for (let found = finder.exec(text); found !== null; found = finder.exec(text)) {
      const at = found.index;
      for (let s = Math.max(tried + 1, at - anchor.maxOffset); s <= at; s++) {
        anchor.sticky.lastIndex = s;
        const match = anchor.sticky.exec(text);
        if (match !== null) return match;
      }
      tried = at;
      finder.lastIndex = at + 1;
    }
    return null;
  }

  /** Leftmost valid match of detector d at or after `from`, or NONE (also when not yet decidable). */
  private search(d: number, text: string, from: number, final: boolean): void {
    const detector = this.detectors[d];
    this.start[d] = NONE;
    if (detector === undefined) return;
    let position = from;
    for (;;) {
      const match = this.nextMatch(detector, text, position);
      if (match === null) return;
      const s = match.index;
      if (!final && s + detector.reach > text.length) return;
      const length = match[0].length;
      if (length === 0) {
        position = s + 1;
        continue;
      }
      let a = s;
      let b = s + length;
      if (detector.hasSecretGroup) {
        const span = match.indices?.groups?.secret;
        if (span === undefined) {
          position = s + 1;
          continue;
        }
        [a, b] = span;
      }
      let end = s + length;
      if (detector.accept !== null) {
        const accepted = detector.accept(text.slice(a, b));
        if (accepted <= 0) {
          position = s + 1;
          continue;
        }
        if (accepted < b - a) {
          b = a + accepted;
          end = b;
        }
      }
      this.start[d] = s;
      this.end[d] = end;
      this.secretStart[d] = a;
      this.secretEnd[d] = b;
      return;
    }
  }
}
