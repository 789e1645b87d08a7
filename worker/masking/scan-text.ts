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
import { countTextFacts, meetsNeeds, type TextFacts } from './detectors/text-probe.ts';

export { LOOKBEHIND_CONTEXT };

export interface FindingHandler {
  (detector: CompiledDetector, secretStart: number, secretEnd: number): void;
}

const NONE = -1;
const FACTS_LIMIT = 4096;

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
   * One search for every gated detector (trigger or needs): no match, none of
   * them can match, and a string without a digit pair, a colon pair or a
   * trigger costs this one native search.
   */
  private readonly gate: RegExp | null;
  /** Detectors with neither a trigger nor needs (custom ones): always searched. */
  private readonly ungated: number;
  private readonly facts: TextFacts = { digits: 0, digitRun: 0, dots: 0, colons: 0 };

  constructor(detectors: readonly CompiledDetector[]) {
    this.detectors = detectors;
    this.maxReach = detectors.reduce((max, d) => Math.max(max, d.reach), 0);
    const n = detectors.length;
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.secretStart = new Int32Array(n);
    this.secretEnd = new Int32Array(n);
    this.active = new Int32Array(n);
    const triggers = detectors.flatMap((d) => (d.trigger === null ? [] : [`(?:${d.trigger})`]));
    // Necessary for every `needs` detector: two digits at most two separators
    // apart (card, phone, SSN, IPv4), or two colons at most four apart (IPv6).
    if (detectors.some((d) => d.needs !== null))
      triggers.push(String.raw`\d[ ().-]{0,2}\d|:[^:]{0,4}:`);
    this.gate = triggers.length === 0 ? null : new RegExp(triggers.join('|'));
    this.ungated = detectors.filter((d) => d.trigger === null && d.needs === null).length;
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
    const gateOpen = this.gate !== null && this.gate.test(text);
    if (!gateOpen && this.ungated === 0)
      return final ? length : Math.max(from, length - this.maxReach);
    // The counts only prune; on a long window they pass anyway, so skip the count.
    const counted = gateOpen && length <= FACTS_LIMIT;
    if (counted) countTextFacts(text, this.facts);
    let activeCount = 0;
    let limit = final ? Infinity : length;
    for (let d = 0; d < this.detectors.length; d++) {
      const detector = this.detectors[d];
      if (detector === undefined) continue;
      const possible =
        detector.triggerRegex !== null
          ? gateOpen && detector.triggerRegex.test(text)
          : detector.needs === null ||
            (gateOpen && (!counted || meetsNeeds(this.facts, detector.needs)));
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
