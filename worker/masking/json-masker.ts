// Masks a JSON (or NDJSON) stream: applies field rules (keep / redact /
// pseudonymise) by path, runs the detectors on every other string after
// decoding its escapes, and re-encodes only what changed.
//
// Output is assembled by slicing the input chunk: text that is not replaced
// (structure, whitespace, numbers, unchanged strings) passes through byte for
// byte, so a document with nothing to mask comes out identical. Only a token
// that may change is held: a string being scanned (up to `maxValueChars`), a
// number, a member name. A longer string is masked as it streams (or fails,
// by profile), so memory stays bounded. A string holding a JSON document is
// masked as JSON, its paths continuing inside; if it does not parse, as text.
import {
  KEEP,
  PSEUDONYMISE,
  REDACT,
  SCAN,
  maskCompleteText,
  maskMemberName,
  type MaskEngine,
} from './engine.ts';
import { MaskingError } from './errors.ts';
import { JsonLexer, type JsonTokenSink } from './json-lexer.ts';
import { JsonPathTracker, type RootRule } from './json-paths.ts';
import { LongStringMasker, decodeJsonString, looksLikeJson } from './json-strings.ts';
import { ForwardingSink, JsonStringSink, MaskOutput, type MaskSink } from './output.ts';

// What the current string is doing.
const S_NONE = 0;
const S_PASS = 1; // kept: passes through unseen
const S_KEY = 2; // a member name, held
const S_HELD = 3; // a value, held for masking
const S_LONG = 4; // a value longer than maxValueChars, masked as it streams
const S_SUPPRESSED = 5; // a redacted value: nothing of it is emitted

export interface JsonMaskerOptions {
  multiDocument: boolean;
  /** For JSON held in a string: the string's path and rule, which the document continues. */
  root?: RootRule;
  /** How many JSON-in-string layers deep this masker is. */
  level?: number;
  /**
   * No detector can match in any string, member name or number written
   * without escapes in this document (DetectorSet.mayMatchInJson): those are
   * not scanned. Tokens with escapes still are.
   */
  quiet?: boolean;
}

export class JsonMasker implements JsonTokenSink {
  private readonly engine: MaskEngine;
  private readonly lexer: JsonLexer;
  private readonly path: JsonPathTracker;
  private readonly level: number;
  private readonly quiet: boolean;
  private readonly out = new ForwardingSink(new MaskOutput());
  private text = '';
  /** Start of the pass-through text of the current chunk not yet written. */
  private emitFrom = 0;
  /** > 0 while a redacted container or string is being skipped. */
  private suppress = 0;
  private redactedScalar = false;
  private stringMode = S_NONE;
  /** A token is held back; it starts at holdStart in this chunk, or in an earlier one (-1). */
  private holding = false;
  private holdStart = -1;
  private readonly pieces: string[] = [];
  private piecesLength = 0;
  private resumeAt = 0;
  private long: LongStringMasker | null = null;

  constructor(engine: MaskEngine, options: JsonMaskerOptions) {
    this.engine = engine;
    this.level = options.level ?? 0;
    this.quiet = options.quiet ?? false;
    this.lexer = new JsonLexer(this, {
      multiDocument: options.multiDocument,
      maxDepth: engine.maxDepth,
    });
    this.path = new JsonPathTracker(engine, options.root);
  }

  push(text: string, sink: MaskSink): void {
    this.out.target = sink;
    this.text = text;
    this.emitFrom = 0;
    this.resumeAt = 0;
    this.lexer.push(text);
    if (this.suppress === 0) {
      const stop = this.holding ? Math.max(this.holdStart, this.emitFrom) : text.length;
      sink.text(text.slice(this.emitFrom, stop));
    }
    if (this.holding) this.holdStart = -1;
    this.text = '';
  }

  end(sink: MaskSink): void {
    this.out.target = sink;
    this.text = '';
    this.emitFrom = 0;
    this.lexer.end();
  }

  /** Masks one complete document into `sink`; throws a MaskingError if it is not JSON. */
  maskDocument(text: string, sink: MaskSink): void {
    this.push(text, sink);
    this.end(sink);
  }

  // ---- containers -------------------------------------------------------

  openContainer(isArray: boolean, at: number): void {
    if (this.suppress > 0) {
      this.suppress++;
      return;
    }
    this.path.enterValue();
    if (this.path.action === REDACT) {
      this.redactFrom(at);
      this.suppress = 1;
      return;
    }
    this.path.openContainer(isArray);
  }

  closeContainer(at: number): void {
    if (this.suppress > 0) {
      this.suppress--;
      if (this.suppress === 0) this.emitFrom = at + 1;
      return;
    }
    this.path.closeContainer();
  }

  // ---- strings ----------------------------------------------------------

  beginString(isKey: boolean, at: number): void {
    if (this.suppress > 0) return;
    if (isKey) return this.hold(at, S_KEY);
    this.path.enterValue();
    const action = this.path.action;
    if (
      action === KEEP ||
      (action === SCAN && this.engine.detectors.isEmpty && !this.engine.scanJsonInStrings)
    ) {
      this.stringMode = S_PASS;
    } else if (action === REDACT) {
      this.redactFrom(at);
      this.suppress = 1;
      this.stringMode = S_SUPPRESSED;
    } else this.hold(at, S_HELD);
  }

  stringBreak(upTo: number): void {
    if (this.stringMode === S_LONG) {
      this.long?.feed(this.text.slice(this.resumeAt, upTo));
      this.emitFrom = this.text.length;
      return;
    }
    if (this.stringMode !== S_KEY && this.stringMode !== S_HELD) return;
    const piece = this.text.slice(this.resumeAt, upTo);
    this.pieces.push(piece);
    this.piecesLength += piece.length;
    if (this.piecesLength > this.engine.maxValueChars) {
      if (this.stringMode === S_KEY) this.tooLarge('member name');
      this.startLong();
      this.emitFrom = this.text.length;
    }
  }

  stringResume(escape: string, at: number): void {
    this.resumeAt = at;
    if (this.stringMode === S_LONG) this.long?.feed(escape);
    else if (this.stringMode === S_KEY || this.stringMode === S_HELD) {
      this.pieces.push(escape);
      this.piecesLength += escape.length;
    }
  }

  endString(at: number, hasEscape: boolean): void {
    const mode = this.stringMode;
    this.stringMode = S_NONE;
    switch (mode) {
      case S_SUPPRESSED:
        this.suppress = 0;
        this.emitFrom = at + 1;
        return;
      case S_LONG:
        this.long?.feed(this.text.slice(this.resumeAt, at));
        return this.finishLong(at + 1);
      case S_KEY:
        return this.endMemberName(at, hasEscape);
      case S_HELD:
        return this.endHeldString(at, hasEscape);
      default:
        return;
    }
  }

  private endMemberName(at: number, hasEscape: boolean): void {
    const raw = this.takeRaw(at);
    if (raw.length > this.engine.maxValueChars) this.tooLarge('member name');
    const name = hasEscape ? decodeJsonString(raw) : raw;
    this.path.memberName(name);
    const action = this.path.containerAction;
    if (
      this.engine.scanKeys &&
      (action === SCAN || action === PSEUDONYMISE) &&
      !(this.quiet && !hasEscape)
    ) {
      const masked = maskMemberName(this.engine, name);
      if (masked !== null)
        return this.finishHeld(raw, at + 1, (sink) => masked.drainInto(sink, true));
    }
    this.finishHeld(raw, at + 1, null);
  }

  private endHeldString(at: number, hasEscape: boolean): void {
    if (this.piecesLength + (at - this.resumeAt) > this.engine.maxValueChars) {
      this.startLong();
      this.long?.feed(this.text.slice(this.resumeAt, at));
      return this.finishLong(at + 1);
    }
    const raw = this.takeRaw(at);
    const value = hasEscape ? decodeJsonString(raw) : raw;
    if (this.path.action === PSEUDONYMISE) {
      const entity = this.path.entity;
      const operator = this.engine.pseudonymOperator;
      return this.finishHeld(raw, at + 1, (sink) =>
        this.engine.replacer.replace(entity, value, null, sink, operator),
      );
    }
    const masked = this.maskStringValue(value, this.quiet && !hasEscape);
    this.finishHeld(raw, at + 1, masked === null ? null : (sink) => masked.drainInto(sink, true));
  }

  /**
   * A scanned string: as nested JSON when it is one, else as text. Null when
   * unchanged. `quiet`: no detector can match in it (nor in any part of it).
   */
  private maskStringValue(value: string, quiet: boolean): MaskOutput | null {
    if (
      this.engine.scanJsonInStrings &&
      this.level < this.engine.maxJsonInStringDepth &&
      looksLikeJson(value)
    ) {
      if (!this.engine.shortcuts) return this.maskHeldDocument(value, false);
      // Each token written without escapes in the document is a substring of
      // it: if no detector matches in all of it, none matches in those tokens.
      const plain = !value.includes('\\');
      const inner = quiet || (plain && !this.engine.detectors.mayMatchInJson(value));
      // Without any escape, that is every token; then, if no rule can apply
      // below either, nothing changes (as JSON, or as text should it not parse).
      if (inner && plain && !this.rulesMayMatchBelow(value)) return null;
      return this.maskHeldDocument(value, inner);
    }
    return quiet ? null : maskCompleteText(this.engine, value);
  }

  /**
   * A string value that looks like JSON: masked as JSON, its paths
   * continuing; as text if it does not parse. `quiet` as for maskStringValue.
   */
  private maskHeldDocument(value: string, quiet: boolean): MaskOutput | null {
    const nested = new JsonMasker(this.engine, {
      multiDocument: false,
      root: { states: this.path.states, action: this.path.action, entity: this.path.entity },
      level: this.level + 1,
      quiet,
    });
    const output = new MaskOutput();
    try {
      nested.maskDocument(value, output);
      return output.replacements > 0 ? output : null;
    } catch (error) {
      if (!(error instanceof MaskingError) || error.code === 'internal') throw error;
      // Not JSON after all (or too deep): mask it as text.
    }
    return quiet ? null : maskCompleteText(this.engine, value);
  }

  /**
   * False when no redact or pseudonymise rule can match below this path in
   * `json` (a string value that looks like JSON and holds no backslash): each
   * needs a member name that does not occur in it (PathMatcher.mayMatchBelow).
   * If, too, no detector can match in it, masking it as JSON (or as text,
   * should it not parse) cannot change anything, and it passes through
   * without being lexed.
   */
  private rulesMayMatchBelow(json: string): boolean {
    const actions = this.engine.ruleActions;
    for (let r = 0; r < actions.length; r++) {
      const action = actions[r];
      if (
        (action === REDACT || action === PSEUDONYMISE) &&
        this.engine.matcher.mayMatchBelow(this.path.states, r, json)
      )
        return true;
    }
    return false;
  }

  // ---- numbers and literals --------------------------------------------

  beginScalar(at: number): void {
    if (this.suppress > 0) return;
    this.path.enterValue();
    const first = this.text.charCodeAt(at);
    if (first === 110) return; // null stays null
    const action = this.path.action;
    if (action === REDACT) {
      this.redactFrom(at);
      this.suppress = 1;
      this.redactedScalar = true;
      return;
    }
    if (first === 116 || first === 102) return; // true / false
    if (
      action === PSEUDONYMISE ||
      (action === SCAN && !this.engine.numericDetectors.isEmpty && !this.quiet)
    ) {
      this.hold(at, S_NONE);
    }
  }

  endScalar(raw: string, isNumber: boolean, endAt: number): void {
    if (this.redactedScalar) {
      this.redactedScalar = false;
      this.suppress = 0;
      this.emitFrom = Math.max(endAt, 0);
      return;
    }
    if (this.suppress > 0 || !this.holding || !isNumber) return;
    const replacement =
      this.path.action === PSEUDONYMISE ? this.pseudonymiseNumber(raw) : this.scanNumber(raw);
    this.finishHeld(
      raw,
      endAt,
      replacement === null
        ? null
        : (sink) => {
            sink.text('"');
            replacement.drainInto(sink, true);
            sink.text('"');
          },
      false,
    );
  }

  private pseudonymiseNumber(raw: string): MaskOutput {
    const output = new MaskOutput();
    this.engine.replacer.replace(
      this.path.entity,
      raw,
      null,
      output,
      this.engine.pseudonymOperator,
    );
    return output;
  }

  /** A long integer may be a card number stored as a number. */
  private scanNumber(raw: string): MaskOutput | null {
    if (raw.length < 12 || !/^\d+$/.test(raw)) return null;
    const output = new MaskOutput();
    let emitted = 0;
    this.engine.numericDetectors.scan(raw, 0, true, (detector, a, b) => {
      output.text(raw.slice(emitted, a));
      this.engine.replacer.replace(detector.entity, raw.slice(a, b), detector.normalize, output);
      emitted = b;
    });
    output.text(raw.slice(emitted));
    return output.replacements > 0 ? output : null;
  }

  // ---- emission ---------------------------------------------------------

  private hold(at: number, mode: number): void {
    this.holding = true;
    this.holdStart = at;
    this.stringMode = mode;
    if (this.pieces.length > 0) this.pieces.length = 0;
    this.piecesLength = 0;
    this.resumeAt = at + 1;
  }

  /** The held string's raw content up to the closing quote at `at`. */
  private takeRaw(at: number): string {
    const tail = this.text.slice(this.resumeAt, at);
    if (this.pieces.length === 0) return tail;
    const raw = this.pieces.join('') + tail;
    this.pieces.length = 0;
    this.piecesLength = 0;
    return raw;
  }

  /**
   * Ends a held token at `endAt`. `render` writes its replacement, or is null
   * when the token is unchanged. Strings are re-quoted here; numbers are not.
   */
  private finishHeld(
    raw: string,
    endAt: number,
    render: ((sink: MaskSink) => void) | null,
    quoted = true,
  ): void {
    const startedHere = this.holdStart >= 0;
    this.holding = false;
    if (render === null) {
      if (!startedHere) {
        this.out.text(quoted ? `"${raw}"` : raw);
        this.emitFrom = Math.max(endAt, 0);
      }
      return;
    }
    if (startedHere) this.out.text(this.text.slice(this.emitFrom, this.holdStart));
    if (quoted) this.out.text('"');
    render(this.out);
    if (quoted) this.out.text('"');
    this.emitFrom = Math.max(endAt, 0);
  }

  /** Writes pass-through text up to `at`, then the placeholder of the redacted value starting there. */
  private redactFrom(at: number): void {
    this.out.text(this.text.slice(this.emitFrom, at));
    this.out.text('"');
    const sink = new JsonStringSink(this.out);
    this.engine.replacer.replace(this.path.entity, '', null, sink, { type: 'replace' });
    sink.flush();
    this.out.text('"');
  }

  private startLong(): void {
    if (this.path.action === PSEUDONYMISE) this.tooLarge('value to pseudonymise');
    if (this.engine.oversizedValues === 'fail') this.tooLarge('string value');
    if (this.holdStart >= 0) this.out.text(this.text.slice(this.emitFrom, this.holdStart));
    this.holding = false;
    this.stringMode = S_LONG;
    const long = new LongStringMasker(this.engine, this.out);
    for (const piece of this.pieces) long.feed(piece);
    this.pieces.length = 0;
    this.piecesLength = 0;
    this.long = long;
  }

  private finishLong(endAt: number): void {
    this.long?.finish();
    this.long = null;
    this.emitFrom = endAt;
  }

  private tooLarge(what: string): never {
    throw new MaskingError(
      'value_too_large',
      `${what} longer than limits.maxValueChars (${this.engine.maxValueChars})`,
    );
  }
}
