// Plain text (and YAML, CSV, XML, ... anything textual without a better
// adapter): the detectors run over a sliding window of the stream; the
// window holds back only what a detector could still match (its reach).
import { StreamingTextScanner, type MaskEngine } from './engine.ts';
import { ForwardingSink, MaskOutput, type MaskSink } from './output.ts';

export class TextMasker {
  private readonly sink = new ForwardingSink(new MaskOutput());
  private readonly scanner: StreamingTextScanner;

  constructor(engine: MaskEngine) {
    this.scanner = new StreamingTextScanner(engine, this.sink, 65_536);
  }

  push(text: string, sink: MaskSink): void {
    this.sink.target = sink;
    this.scanner.push(text);
  }

  end(sink: MaskSink): void {
    this.sink.target = sink;
    this.scanner.end();
  }
}
