// JSON string helpers for the masker: decoding raw string content, a cheap
// "might this string hold a JSON document" test, and the path for string
// values longer than `limits.maxValueChars`, which are decoded piece by piece
// and masked through the streaming text window instead of being held.
import { StreamingTextScanner, type MaskEngine } from './engine.ts';
import { MaskingError } from './errors.ts';
import { JsonStringSink, type MaskSink } from './output.ts';

/** Decodes the raw content of a JSON string (between the quotes; escapes already validated). */
export function decodeJsonString(raw: string): string {
  const decoded: unknown = JSON.parse(`"${raw}"`);
  if (typeof decoded !== 'string')
    throw new MaskingError('internal', 'string did not decode to a string');
  return decoded;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Starts and ends like a JSON object, array or string: worth trying to parse. */
export function looksLikeJson(value: string): boolean {
  let start = 0;
  let end = value.length - 1;
  while (start <= end && isSpace(value.charCodeAt(start))) start++;
  while (end > start && isSpace(value.charCodeAt(end))) end--;
  if (end - start < 1) return false;
  const first = value.charCodeAt(start);
  const last = value.charCodeAt(end);
  return (
    (first === 123 && last === 125) ||
    (first === 91 && last === 93) ||
    (first === 34 && last === 34)
  );
}

/**
 * A string value too long to hold: its raw pieces (each ending on an escape
 * boundary, as the lexer guarantees) are decoded and masked through the
 * window; the output is re-escaped, with quotes. Path rules do not apply
 * inside it and it is not parsed as JSON; detectors still run on all of it.
 */
export class LongStringMasker {
  private readonly sink: JsonStringSink;
  private readonly scanner: StreamingTextScanner;
  private readonly out: MaskSink;

  constructor(engine: MaskEngine, out: MaskSink) {
    this.out = out;
    out.text('"');
    this.sink = new JsonStringSink(out);
    this.scanner = new StreamingTextScanner(engine, this.sink);
  }

  feed(rawPiece: string): void {
    if (rawPiece.length === 0) return;
    this.scanner.push(rawPiece.includes('\\') ? decodeJsonString(rawPiece) : rawPiece);
  }

  finish(): void {
    this.scanner.end();
    this.sink.flush();
    this.out.text('"');
  }
}
