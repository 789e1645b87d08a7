// Large synthetic traces generated on the fly, for streaming and memory tests:
// a Langfuse-style JSON trace, NDJSON observations, or an Anthropic-style
// thinking SSE stream. Generated unit by unit and yielded in ~64 KiB chunks,
// so memory stays flat whatever `bytes` is. The same seed gives the same bytes,
// and the body is exactly `bytes` long whenever `bytes` leaves room for the
// smallest valid document (a few hundred bytes); a filler unit (a padding
// observation or an SSE comment) makes up the exact length.
import { piiSentence, reasoningParagraph, seededRng, type Rng } from './synthetic-content.ts';

export type GeneratedFormat = 'json' | 'ndjson' | 'sse';

export interface GenerateOptions {
  format: GeneratedFormat;
  bytes: number;
  seed: string;
  pii: boolean;
}

export const generatedContentTypes: Record<GeneratedFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  sse: 'text/event-stream',
};

/** Shape of one generated document: fixed head and tail around repeated units. */
interface Layout {
  head: string;
  tail: string;
  /** Text between two units (JSON array commas). */
  separator: string;
  unit(index: number): string;
  /** Size of the smallest filler unit. */
  minFillerBytes: number;
  /** A unit of exactly `bytes` bytes, or undefined if `bytes` is below the minimum. */
  filler(bytes: number): string | undefined;
}

const chunkBytes = 64 * 1024;
const byteLength = (text: string): number => Buffer.byteLength(text);

export async function* generateTrace(options: GenerateOptions): AsyncGenerator<Buffer> {
  const rng = seededRng(`${options.format}:${options.seed}`);
  const traceId = rng.hex(32);
  const layout = layoutFor(options.format, rng, traceId, options.pii);
  const tailBytes = byteLength(layout.tail);
  let pending: string[] = [layout.head];
  let pendingBytes = byteLength(layout.head);
  let produced = pendingBytes;

  for (let index = 0; ; index++) {
    const separator = index === 0 ? '' : layout.separator;
    const remaining = options.bytes - produced - tailBytes - byteLength(separator);
    const unit = layout.unit(index);
    // Take the unit only if a filler still fits after it; else fill exactly and stop.
    const afterUnit = remaining - byteLength(unit) - byteLength(layout.separator);
    const takeUnit = afterUnit >= layout.minFillerBytes;
    const text = takeUnit ? unit : layout.filler(remaining);
    if (text === undefined) break;
    pending.push(separator, text);
    const added = byteLength(separator) + byteLength(text);
    pendingBytes += added;
    produced += added;
    if (pendingBytes >= chunkBytes) {
      yield Buffer.from(pending.join(''));
      pending = [];
      pendingBytes = 0;
    }
    if (!takeUnit) break;
  }
  pending.push(layout.tail);
  yield Buffer.from(pending.join(''));
}

function layoutFor(format: GeneratedFormat, rng: Rng, traceId: string, pii: boolean): Layout {
  const observation = observationFactory(rng, traceId, pii);
  switch (format) {
    case 'json': {
      const head = `${JSON.stringify(traceHeader(traceId)).slice(0, -1)},"observations":[`;
      return {
        head,
        tail: ']}',
        separator: ',',
        unit: (index) => JSON.stringify(observation(index)),
        minFillerBytes: paddingShellBytes(traceId, ''),
        filler: (bytes) => paddingObservation(traceId, bytes, ''),
      };
    }
    case 'ndjson':
      return {
        head: '',
        tail: '',
        separator: '',
        unit: (index) => `${JSON.stringify(observation(index))}\n`,
        minFillerBytes: paddingShellBytes(traceId, '\n'),
        filler: (bytes) => paddingObservation(traceId, bytes, '\n'),
      };
    case 'sse':
      return sseLayout(rng, pii);
  }
}

function traceHeader(traceId: string): Record<string, unknown> {
  return {
    id: traceId,
    name: 'synthetic-support-agent',
    timestamp: '2025-10-30T08:45:41.168Z',
    environment: 'local-dev',
    tags: ['synthetic', 'tracegate-origin-shim'],
    public: false,
    metadata: { generator: 'tracegate local-dev origin shim', note: 'synthetic content' },
  };
}

function observationFactory(rng: Rng, traceId: string, pii: boolean) {
  const rootId = rng.hex(16);
  const startMs = Date.parse('2025-10-30T08:45:41.168Z');
  const text = (sentences: number): string => {
    const paragraph = reasoningParagraph(rng, sentences);
    return pii && rng.next() < 0.35 ? `${paragraph} ${piiSentence(rng)}` : paragraph;
  };
  return (index: number): Record<string, unknown> => {
    const start = new Date(startMs + index * 137).toISOString();
    const end = new Date(startMs + index * 137 + 120).toISOString();
    const base = {
      id: rng.hex(16),
      traceId,
      parentObservationId: rootId,
      startTime: start,
      endTime: end,
    };
    if (index % 3 === 1) {
      return {
        ...base,
        type: 'TOOL',
        name: 'lookup_customer',
        input: JSON.stringify({ query: text(1) }),
        output: JSON.stringify({ records: [{ note: text(2) }, { note: text(1) }] }),
      };
    }
    const inputTokens = 200 + rng.int(2000);
    const reasoningTokens = 50 + rng.int(800);
    return {
      ...base,
      type: 'GENERATION',
      name: 'ChatOpenAI',
      model: 'gpt-5-mini',
      input: JSON.stringify({ messages: [{ role: 'user', content: text(2) }] }),
      output: JSON.stringify({
        role: 'assistant',
        reasoning: text(4 + rng.int(6)),
        content: text(2),
      }),
      usageDetails: {
        input: inputTokens,
        output: reasoningTokens + 120,
        output_reasoning: reasoningTokens,
        total: inputTokens + reasoningTokens + 120,
      },
    };
  };
}

const paddingShell = (traceId: string, input: string, suffix: string): string =>
  `{"id":"padding","traceId":"${traceId}","type":"EVENT","name":"padding","input":"${input}"}${suffix}`;

const paddingShellBytes = (traceId: string, suffix: string): number =>
  byteLength(paddingShell(traceId, '', suffix));

/** A padding observation of exactly `bytes` bytes (with `suffix`), or undefined if too small. */
function paddingObservation(traceId: string, bytes: number, suffix: string): string | undefined {
  const room = bytes - paddingShellBytes(traceId, suffix);
  return room < 0 ? undefined : paddingShell(traceId, paddingText(room), suffix);
}

function paddingText(bytes: number): string {
  const filler = 'lorem ipsum dolor sit amet ';
  return filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes);
}

/** Anthropic Messages streaming with extended thinking, as in the recorded cassette. */
function sseLayout(rng: Rng, pii: boolean): Layout {
  const event = (name: string, data: unknown): string =>
    `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const messageId = `msg_01${rng.hex(22)}`;
  const head =
    event('message_start', {
      type: 'message_start',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-6',
        content: [],
        stop_reason: null,
        usage: { input_tokens: 52, output_tokens: 1 },
      },
    }) +
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
  const tail =
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: {
        type: 'signature_delta',
        signature: Buffer.from(rng.hex(96), 'hex').toString('base64'),
      },
    }) +
    event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    event('content_block_start', {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'text', text: '' },
    }) +
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'text_delta', text: 'Here is what I found.' },
    }) +
    event('content_block_stop', { type: 'content_block_stop', index: 1 }) +
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 1024 },
    }) +
    event('message_stop', { type: 'message_stop' });
  return {
    head,
    tail,
    separator: '',
    unit: () => {
      const paragraph = reasoningParagraph(rng, 2 + rng.int(4));
      const thinking =
        pii && rng.next() < 0.35 ? `${paragraph} ${piiSentence(rng)}\n` : `${paragraph}\n`;
      return event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking },
      });
    },
    minFillerBytes: 3,
    // An SSE comment line is ignored by clients: `:` + padding + blank line.
    filler: (bytes) => (bytes < 3 ? undefined : `:${paddingText(bytes - 3)}\n\n`),
  };
}
