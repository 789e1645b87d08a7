// Server-sent events (text/event-stream, WHATWG HTML §9.2): masked one event
// at a time. The `data:` lines of an event form its payload (joined with
// "\n"); a payload that is JSON is masked as JSON, with path rules rooted at
// the payload, else as text. Other lines (event, id, comments) are masked as
// text. An event that comes out unchanged is emitted byte for byte; a changed
// one keeps its line order and prefixes, with the payload re-split into
// `data:` lines. Events are held whole, up to `limits.maxEventChars`, beyond
// which the stream fails (events in LLM streams are small; a giant one is
// not worth a second, streaming code path).
import { maskCompleteText, type MaskEngine } from './engine.ts';
import { MaskingError } from './errors.ts';
import { JsonMasker } from './json-masker.ts';
import { looksLikeJson } from './json-strings.ts';
import { MaskOutput, type MaskSink } from './output.ts';

interface Line {
  text: string;
  terminator: string;
}

const TERMINATOR = /\r\n|\r|\n/g;

export class SseMasker {
  private readonly engine: MaskEngine;
  private readonly maxEventChars: number;
  private pending = '';
  private lines: Line[] = [];
  private eventChars = 0;

  constructor(engine: MaskEngine, maxEventChars: number) {
    this.engine = engine;
    this.maxEventChars = maxEventChars;
  }

  push(text: string, sink: MaskSink): void {
    this.split(this.pending + text, false, sink);
    if (this.eventChars + this.pending.length > this.maxEventChars) this.tooLarge();
  }

  end(sink: MaskSink): void {
    this.split(this.pending, true, sink);
    if (this.pending !== '') this.lines.push({ text: this.pending, terminator: '' });
    this.pending = '';
    if (this.lines.length > 0) this.flushEvent(sink);
  }

  /** Cuts complete lines off `buffer`; the rest (no terminator yet) stays pending. */
  private split(buffer: string, final: boolean, sink: MaskSink): void {
    let start = 0;
    // The pending text holds no terminator, except maybe a trailing CR.
    TERMINATOR.lastIndex = Math.max(0, this.pending.length - 1);
    for (;;) {
      const match = TERMINATOR.exec(buffer);
      if (match === null) break;
      // A CR at the very end may be the first half of CRLF: wait for more input.
      if (!final && match[0] === '\r' && match.index === buffer.length - 1) break;
      this.addLine({ text: buffer.slice(start, match.index), terminator: match[0] }, sink);
      start = match.index + match[0].length;
    }
    this.pending = buffer.slice(start);
  }

  private addLine(line: Line, sink: MaskSink): void {
    this.lines.push(line);
    this.eventChars += line.text.length + line.terminator.length;
    if (this.eventChars > this.maxEventChars) this.tooLarge();
    if (line.text === '') this.flushEvent(sink);
  }

  private tooLarge(): never {
    throw new MaskingError(
      'value_too_large',
      `SSE event longer than limits.maxEventChars (${this.maxEventChars})`,
    );
  }

  private flushEvent(sink: MaskSink): void {
    const lines = this.lines;
    this.lines = [];
    this.eventChars = 0;
    const dataValues: string[] = [];
    let firstData = -1;
    let dataPrefix = 'data: ';
    const maskedOther = new Map<number, MaskOutput>();
    lines.forEach((line, i) => {
      if (line.text.startsWith('data')) {
        const rest = line.text.slice(4);
        if (rest === '' || rest.startsWith(':')) {
          const value = rest.startsWith(': ') ? rest.slice(2) : rest.slice(1);
          if (firstData < 0) {
            firstData = i;
            dataPrefix = rest.startsWith(': ') ? 'data: ' : 'data:';
          }
          dataValues.push(value);
          return;
        }
      }
      const masked = maskCompleteText(this.engine, line.text);
      if (masked !== null) maskedOther.set(i, masked);
    });
    const payload = firstData >= 0 ? this.maskPayload(dataValues.join('\n')) : null;
    if (payload === null && maskedOther.size === 0) {
      for (const line of lines) sink.text(line.text + line.terminator);
      return;
    }
    lines.forEach((line, i) => {
      if (i === firstData && payload !== null) {
        sink.text(dataPrefix);
        for (const part of payload.parts) {
          if (typeof part === 'string')
            sink.text(part.replace(/\n/g, `${line.terminator || '\n'}${dataPrefix}`));
          else sink.token(part);
        }
        for (const [entity, n] of payload.counts) for (let k = 0; k < n; k++) sink.count(entity);
        sink.text(line.terminator);
        return;
      }
      if (payload !== null && firstData >= 0 && i > firstData && isDataLine(line.text)) return;
      const masked = maskedOther.get(i);
      if (masked === undefined) sink.text(line.text + line.terminator);
      else {
        masked.drainInto(sink, false);
        sink.text(line.terminator);
      }
    });
  }

  private maskPayload(payload: string): MaskOutput | null {
    if (looksLikeJson(payload)) {
      const output = new MaskOutput();
      try {
        new JsonMasker(this.engine, { multiDocument: false }).maskDocument(payload, output);
        return output.replacements > 0 ? output : null;
      } catch (error) {
        if (!(error instanceof MaskingError) || error.code === 'internal') throw error;
      }
    }
    return maskCompleteText(this.engine, payload);
  }
}

function isDataLine(text: string): boolean {
  return text === 'data' || text.startsWith('data:');
}
