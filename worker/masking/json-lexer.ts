// A push-based, resumable JSON lexer and validator (RFC 8259) for streams.
//
// It never buffers a document: it walks each chunk once and reports token
// boundaries as indices into that chunk, so the masker can pass untouched
// text through by slicing. Strings are skipped with a sticky regex (native
// speed) and validated (escapes, no raw control characters) even when the
// masker does not look at them, so invalid JSON never passes. An escape split
// across chunks is held (at most 6 characters) and handed over whole, so
// every piece of string content the masker receives decodes on its own.
// Numbers and literals are held until complete (at most 256 characters).
//
// `multiDocument` lexes NDJSON / JSON Lines: one value per line.
import { MaskingError } from './errors.ts';

export interface JsonTokenSink {
  openContainer(isArray: boolean, at: number): void;
  closeContainer(at: number): void;
  /** `at` is the index of the opening quote. */
  beginString(isKey: boolean, at: number): void;
  /** The chunk ends inside the string; its content in this chunk ends at `upTo`. */
  stringBreak(upTo: number): void;
  /** An escape split across chunks is complete; content continues at `at`. */
  stringResume(escape: string, at: number): void;
  /** `at` is the index of the closing quote. */
  endString(at: number, hasEscape: boolean): void;
  beginScalar(at: number): void;
  /** `endAt` is the index just after the scalar in the current chunk, or -1 at end of input. */
  endScalar(raw: string, isNumber: boolean, endAt: number): void;
}

// States
const VALUE = 0;
const ARRAY_FIRST = 1;
const OBJECT_FIRST = 2;
const KEY = 3;
const COLON = 4;
const AFTER = 5;
const DONE = 6;
const STRING = 7;
const ESCAPE = 8;
const NUMBER = 9;
const LITERAL = 10;
const LINE_GAP = 11;

// Plain characters and complete simple escapes, in one native run. Bounded,
// so the regex engine's backtracking stack stays small on long strings; a
// longer run just takes another step. \u escapes are checked one by one.
// eslint-disable-next-line no-control-regex -- RFC 8259 §7: raw control characters end a run
const PLAIN_RUN = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]){0,4096}/y;
// eslint-disable-next-line no-control-regex -- RFC 8259 §7: raw control characters end a string
const CONTROL = /[\u0000-\u001f]/g;
const NOWHERE = 0xffffffff;
const NUMBER_SYNTAX = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const MAX_SCALAR = 256;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** RFC 8259 §7: \" \\ \/ \b \f \n \r \t or \u and four hex digits, at text[at]. No allocation. */
function escapeValid(text: string, at: number): boolean {
  switch (text.charCodeAt(at + 1)) {
    case 34: // "
    case 92: // \
    case 47: // /
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
      return true;
    case 117: // u
      return (
        isHex(text.charCodeAt(at + 2)) &&
        isHex(text.charCodeAt(at + 3)) &&
        isHex(text.charCodeAt(at + 4)) &&
        isHex(text.charCodeAt(at + 5))
      );
    default:
      return false;
  }
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

export class JsonLexer {
  private readonly sink: JsonTokenSink;
  private readonly multiDocument: boolean;
  private readonly maxDepth: number;
  private state = VALUE;
  private readonly stack: boolean[] = []; // true = array
  private stringIsKey = false;
  private hasEscape = false;
  private escape = '';
  private scalar = '';
  private literal = '';
  private consumed = 0;
  private sawValue = false;

  constructor(sink: JsonTokenSink, options: { multiDocument: boolean; maxDepth: number }) {
    this.sink = sink;
    this.multiDocument = options.multiDocument;
    this.maxDepth = options.maxDepth;
  }

  get depth(): number {
    return this.stack.length;
  }

  push(text: string): void {
    const n = text.length;
    if (n === 0) return;
    let i = 0;
    let escapeAt = 0;
    let backslashAt = -1;
    let controlAt = -1;
    if (this.consumed === 0 && n > 0 && text.charCodeAt(0) === 0xfeff) i = 1; // BOM
    while (i < n) {
      switch (this.state) {
        case STRING: {
          // Fast path: the string ends in this chunk with neither an escape nor a
          // control character before its closing quote. The next backslash and
          // the next control character are searched once and reused while ahead.
          const quote = text.indexOf('"', i);
          if (quote >= 0) {
            if (backslashAt < i) backslashAt = text.indexOf('\\', i) >>> 0;
            if (controlAt < i) {
              CONTROL.lastIndex = i;
              controlAt = CONTROL.test(text) ? CONTROL.lastIndex - 1 : NOWHERE;
            }
            if (quote < backslashAt && quote < controlAt) {
              this.sink.endString(quote, this.hasEscape);
              i = quote + 1;
              this.state = this.stringIsKey ? COLON : this.afterValue();
              break;
            }
          }
          PLAIN_RUN.lastIndex = i;
          PLAIN_RUN.test(text);
          const j = PLAIN_RUN.lastIndex;
          if (!this.hasEscape && j > i) {
            // Was a simple escape consumed in the run? One forward search per chunk, reused.
            if (backslashAt < i) backslashAt = text.indexOf('\\', i) >>> 0;
            if (backslashAt < j) this.hasEscape = true;
          }
          if (j >= n) {
            i = n;
            break;
          }
          const c = text.charCodeAt(j);
          if (c === 34) {
            this.sink.endString(j, this.hasEscape);
            i = j + 1;
            this.state = this.stringIsKey ? COLON : this.afterValue();
          } else if (c === 92) {
            this.hasEscape = true;
            const need = text.charCodeAt(j + 1) === 117 ? 6 : 2;
            if (j + need <= n) {
              if (!escapeValid(text, j)) this.fail('invalid escape', j);
              i = j + need;
            } else {
              escapeAt = j;
              this.escape = text.slice(j);
              this.state = ESCAPE;
              i = n;
            }
          } else if (c >= 32) {
            i = j; // the run stopped at its length bound: take another step
          } else {
            this.fail('control character in string', j);
          }
          break;
        }
        case ESCAPE: {
          const need =
            (this.escape.length > 1 ? this.escape : this.escape + text[i]).charCodeAt(1) === 117
              ? 6
              : 2;
          const take = Math.min(need - this.escape.length, n - i);
          this.escape += text.slice(i, i + take);
          i += take;
          if (this.escape.length === need) {
            if (!escapeValid(this.escape, 0)) this.fail('invalid escape', i - need);
            this.sink.stringResume(this.escape, i);
            this.escape = '';
            this.state = STRING;
          }
          break;
        }
        case NUMBER: {
          let j = i;
          while (j < n && isNumberChar(text.charCodeAt(j))) j++;
          this.scalar += text.slice(i, j);
          if (this.scalar.length > MAX_SCALAR) this.fail('number too long', j);
          if (j >= n) {
            i = n;
            break;
          }
          this.finishNumber(j);
          i = j;
          break;
        }
        case LITERAL: {
          const remaining = this.literal.length - this.scalar.length;
          const take = Math.min(remaining, n - i);
          const part = text.slice(i, i + take);
          if (!this.literal.startsWith(this.scalar + part)) this.fail('invalid literal', i);
          this.scalar += part;
          i += take;
          if (this.scalar.length === this.literal.length) {
            this.sink.endScalar(this.scalar, false, i);
            this.scalar = '';
            this.state = this.afterValue();
          }
          break;
        }
        default: {
          const c = text.charCodeAt(i);
          if (isWhitespace(c)) {
            if (c === 10 && this.state === LINE_GAP) this.state = VALUE;
            i++;
            continue;
          }
          this.structural(c, text, i);
          i++;
        }
      }
    }
    // The chunk ends inside a string: hand over its content so far (not a partial escape).
    if (this.state === STRING) this.sink.stringBreak(n);
    else if (this.state === ESCAPE) this.sink.stringBreak(escapeAt);
    this.consumed += n;
  }

  /** Call at end of input; throws if the document is incomplete. */
  end(): void {
    if (this.state === NUMBER) this.finishNumber(-1);
    const complete =
      this.state === DONE ||
      this.state === LINE_GAP ||
      (this.state === VALUE && this.stack.length === 0 && (this.multiDocument || !this.sawValue));
    if (!complete) this.fail('unexpected end of input', 0);
  }

  private structural(c: number, text: string, i: number): void {
    switch (this.state) {
      case VALUE:
      case ARRAY_FIRST:
        if (this.state === ARRAY_FIRST && c === 93) return this.close(i);
        return this.beginValue(c, text, i);
      case OBJECT_FIRST:
        if (c === 125) return this.close(i);
        if (c === 34) return this.beginString(true, i);
        return this.fail('expected a member name or "}"', i);
      case KEY:
        if (c === 34) return this.beginString(true, i);
        return this.fail('expected a member name', i);
      case COLON:
        if (c === 58) {
          this.state = VALUE;
          return;
        }
        return this.fail('expected ":"', i);
      case AFTER: {
        const inArray = this.stack[this.stack.length - 1] === true;
        if (c === 44) {
          this.state = inArray ? VALUE : KEY;
          return;
        }
        if (c === (inArray ? 93 : 125)) return this.close(i);
        return this.fail(inArray ? 'expected "," or "]"' : 'expected "," or "}"', i);
      }
      case LINE_GAP:
        return this.fail('expected a newline between documents', i);
      default:
        return this.fail('unexpected data after the document', i);
    }
  }

  private beginValue(c: number, text: string, i: number): void {
    if (this.stack.length === 0 && this.sawValue && !this.multiDocument) {
      this.fail('unexpected data after the document', i);
    }
    this.sawValue = true;
    if (c === 123 || c === 91) {
      if (this.stack.length >= this.maxDepth) {
        throw new MaskingError(
          'nesting_too_deep',
          `JSON nested deeper than ${this.maxDepth} levels`,
        );
      }
      const isArray = c === 91;
      this.stack.push(isArray);
      this.sink.openContainer(isArray, i);
      this.state = isArray ? ARRAY_FIRST : OBJECT_FIRST;
    } else if (c === 34) {
      this.beginString(false, i);
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      this.sink.beginScalar(i);
      this.scalar = text[i] ?? '';
      this.state = NUMBER;
    } else if (c === 116 || c === 102 || c === 110) {
      this.sink.beginScalar(i);
      this.literal = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      this.scalar = text[i] ?? '';
      this.state = LITERAL;
    } else {
      this.fail('expected a value', i);
    }
  }

  private beginString(isKey: boolean, i: number): void {
    this.stringIsKey = isKey;
    this.hasEscape = false;
    this.sink.beginString(isKey, i);
    this.state = STRING;
  }

  private close(i: number): void {
    this.stack.pop();
    this.sink.closeContainer(i);
    this.state = this.afterValue();
  }

  private finishNumber(endAt: number): void {
    if (!NUMBER_SYNTAX.test(this.scalar)) this.fail('invalid number', Math.max(endAt, 0));
    this.sink.endScalar(this.scalar, true, endAt);
    this.scalar = '';
    this.state = this.afterValue();
  }

  private afterValue(): number {
    if (this.stack.length > 0) return AFTER;
    return this.multiDocument ? LINE_GAP : DONE;
  }

  private fail(message: string, at: number): never {
    throw new MaskingError(
      'malformed_json',
      `malformed JSON: ${message} at character ${this.consumed + at}`,
    );
  }
}
