// Masking benchmark: throughput of the streaming masker against a
// pass-through TransformStream in the same process, the layers under it
// (UTF-8 decoding, the JSON lexer alone, the masker without rules or
// detectors), memory while streaming a trace far larger than a Worker's
// 128 MB, and one existing JS redaction library (@redactpii/node) on the
// same corpus as a peer.
//
//   ./run.sh node bench/masking.ts   prints a table; BENCH_MASKING_MB (64) and
//                                    BENCH_MASKING_HUGE_MB (512) set the sizes
//
// `npm run bench` (bench/run.ts) runs this file in a process of its own.
//
// Corpus: the real Langfuse LangGraph trace from ../shared/traces, its
// observations repeated (ids varied) with PII and secrets planted into their
// real structure (messages inside JSON strings, tool output, metadata).
// Secrets are generated at run time. Everything streams from a generator in
// 64 KiB chunks; the large-trace run never holds the trace in memory.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  createMasker,
  maskingProfileSchema,
  hmacKeyFromSecret,
  type MaskingProfile,
} from '../worker/masking/index.ts';
import { JsonLexer, type JsonTokenSink } from '../worker/masking/json-lexer.ts';
import { fake, makeJwt, makePemKey } from '../worker/masking/test-support.ts';
import { fixed, printTable } from './table.ts';

interface Row {
  name: string;
  mbPerSec: number;
  ratioToPassthrough: number;
  notes?: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const CHUNK = 64 * 1024;
const encoder = new TextEncoder();

interface Corpus {
  head: Uint8Array;
  items: Uint8Array[];
  separator: Uint8Array;
  tail: Uint8Array;
  planted: Record<string, string>;
}

async function buildCorpus(): Promise<Corpus> {
  const trace = JSON.parse(
    readFileSync(`${root}/../shared/traces/langfuse-langgraph-js.trace.json`, 'utf8'),
  ) as {
    trace: Record<string, unknown>;
    observations: Record<string, unknown>[];
  };
  const pem = await makePemKey();
  const jwt = await makeJwt({ sub: 'bench' });
  const planted: Record<string, string> = {
    EMAIL: fake.email(),
    PHONE: fake.phone(),
    CREDIT_CARD: fake.card(),
    US_SSN: fake.ssn(),
    IBAN: fake.iban(),
    IPV4: fake.ipv4(),
    AWS_ACCESS_KEY: fake.awsAccessKey(),
    GITHUB_TOKEN: fake.githubToken(),
    OPENAI_KEY: fake.openAiKey(),
    JWT: jwt,
    PRIVATE_KEY: pem,
  };
  const items = trace.observations.map((observation, i) => {
    const copy: Record<string, unknown> = { ...observation, id: `${String(observation.id)}-${i}` };
    if (i % 4 === 0) {
      const parsed: unknown = JSON.parse(typeof copy.input === 'string' ? copy.input : 'null');
      const holder = (parsed ?? {}) as { messages?: unknown[] };
      const messages: unknown[] = Array.isArray(parsed) ? parsed : (holder.messages ??= []);
      messages.push({
        role: 'user',
        content: `I'm ${planted.EMAIL}, call ${planted.PHONE}. Card ${planted.CREDIT_CARD}, SSN ${planted.US_SSN}, IBAN ${planted.IBAN}.`,
      });
      messages.push({
        role: 'tool',
        content: JSON.stringify({
          host: planted.IPV4,
          aws: planted.AWS_ACCESS_KEY,
          gh: planted.GITHUB_TOKEN,
          openai: planted.OPENAI_KEY,
          session: jwt,
          key: pem,
        }),
      });
      copy.input = JSON.stringify(Array.isArray(parsed) ? messages : holder);
    }
    return encoder.encode(JSON.stringify(copy));
  });
  return {
    head: encoder.encode(`{"trace":${JSON.stringify(trace.trace)},"observations":[`),
    items,
    separator: encoder.encode(','),
    tail: encoder.encode(']}'),
    planted,
  };
}

/** The corpus with every string that holds JSON replaced by the parsed value, recursively. */
function unnestedCorpus(corpus: Corpus): Corpus {
  const unnest = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (/^[[{]/.test(trimmed) && /[\]}]$/.test(trimmed)) {
        try {
          return unnest(JSON.parse(trimmed));
        } catch {
          return value;
        }
      }
      return value;
    }
    if (Array.isArray(value)) return value.map(unnest);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unnest(v)]));
    return value;
  };
  const decoder = new TextDecoder();
  return {
    ...corpus,
    items: corpus.items.map((item) =>
      encoder.encode(JSON.stringify(unnest(JSON.parse(decoder.decode(item))))),
    ),
  };
}

const ignoreTokens: JsonTokenSink = {
  openContainer: () => undefined,
  closeContainer: () => undefined,
  beginString: () => undefined,
  stringBreak: () => undefined,
  stringResume: () => undefined,
  endString: () => undefined,
  beginScalar: () => undefined,
  endScalar: () => undefined,
};

/** The real Anthropic SSE stream, its events repeated, an address planted in every tenth thinking delta. */
function sseCorpus(planted: Record<string, string>): Corpus {
  const cassette = JSON.parse(
    readFileSync(`${root}/../shared/traces/anthropic-thinking-streaming.cassette.json`, 'utf8'),
  ) as { body: string };
  const events = cassette.body.split('\n\n').filter((e) => e !== '');
  const items = Array.from({ length: 10 }, (_, k) =>
    encoder.encode(
      events
        .map((e) =>
          k === 0 ? e.replace('"thinking":"27"', `"thinking":"27 for ${planted.EMAIL ?? ''}"`) : e,
        )
        .join('\n\n') + '\n\n',
    ),
  );
  const empty = new Uint8Array(0);
  return { head: empty, items, separator: empty, tail: empty, planted };
}

/** A body of about `bytes` bytes, generated as it is read (JSON array, NDJSON lines, or items as they are). */
function corpusStream(
  corpus: Corpus,
  bytes: number,
  format: 'json' | 'ndjson' | 'raw',
): ReadableStream<Uint8Array> {
  const newline = encoder.encode('\n');
  let produced = 0;
  let index = 0;
  let pending: Uint8Array[] = format === 'json' ? [corpus.head] : [];
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let size = pending.reduce((n, p) => n + p.length, 0);
        while (size < CHUNK && !done) {
          const item = corpus.items[index % corpus.items.length] ?? newline;
          if (format === 'json' && index > 0) pending.push(corpus.separator);
          pending.push(item);
          if (format === 'ndjson') pending.push(newline);
          size += item.length + 1;
          index++;
          if (produced + size >= bytes) {
            if (format === 'json') pending.push(corpus.tail);
            done = true;
          }
        }
        if (pending.length === 0) {
          controller.close();
          return;
        }
        const chunk = new Uint8Array(pending.reduce((n, p) => n + p.length, 0));
        let offset = 0;
        for (const part of pending) {
          chunk.set(part, offset);
          offset += part.length;
        }
        pending = [];
        produced += chunk.length;
        controller.enqueue(chunk);
        if (done) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

interface Measured {
  seconds: number;
  bytesIn: number;
  bytesOut: number;
  peakRss: number;
  peakHeap: number;
  output?: string;
}

async function measure(
  source: ReadableStream<Uint8Array>,
  transform: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  keepOutput = false,
): Promise<Measured> {
  let bytesIn = 0;
  const counting = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytesIn += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const reader = source.pipeThrough(counting).pipeThrough(transform).getReader();
  const decoder = new TextDecoder();
  let output = '';
  let bytesOut = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let sampled = 0;
  const started = performance.now();
  for (;;) {
    const result = await reader.read();
    if (result.done) break;
    bytesOut += result.value.length;
    if (keepOutput) output += decoder.decode(result.value, { stream: true });
    if (bytesOut - sampled > 4 * 1024 * 1024) {
      sampled = bytesOut;
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
    }
  }
  return {
    seconds: (performance.now() - started) / 1000,
    bytesIn,
    bytesOut,
    peakRss,
    peakHeap,
    output,
  };
}

function session(profile: MaskingProfile, type: string, hmacKey: CryptoKey) {
  const masker = createMasker(profile, type, { hmacKey });
  if (masker === null || 'refuse' in masker) throw new Error(`no masker for ${type}`);
  return masker;
}

const mb = (bytes: number) => bytes / (1024 * 1024);
const round = (n: number) => Math.round(n * 10) / 10;

async function best(runs: number, once: () => Promise<Measured>): Promise<Measured> {
  let fastest: Measured | null = null;
  for (let i = 0; i < runs; i++) {
    const m = await once();
    if (fastest === null || m.seconds < fastest.seconds) fastest = m;
  }
  if (fastest === null) throw new Error('no run');
  return fastest;
}

async function benchMasking(options: { largeMb?: number; hugeMb?: number } = {}): Promise<Row[]> {
  const largeBytes = (options.largeMb ?? 64) * 1024 * 1024;
  const hugeBytes = (options.hugeMb ?? 512) * 1024 * 1024;
  const corpus = await buildCorpus();
  const profile = maskingProfileSchema.parse(
    parseYaml(readFileSync(`${root}/test/fixtures/masking/trace-profile.yaml`, 'utf8')),
  );
  const hmacKey = await hmacKeyFromSecret('bench-secret-0123456789abcdef');
  const rows: Row[] = [];

  // The baseline only hands buffers on, so it swings with JIT and GC state
  // (the sections before this one leave plenty): the best of many runs.
  const pass = await best(8, () =>
    measure(corpusStream(corpus, largeBytes, 'json'), new TransformStream()),
  );
  const passRate = mb(pass.bytesIn) / pass.seconds;
  rows.push({
    name: `pass-through TransformStream, JSON ${round(mb(pass.bytesIn))} MB`,
    mbPerSec: round(passRate),
    ratioToPassthrough: 1,
  });

  const floor = await best(2, () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return measure(
      corpusStream(corpus, largeBytes, 'json'),
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) =>
          controller.enqueue(encoder.encode(decoder.decode(chunk, { stream: true }))),
      }),
    );
  });
  const addRow = (name: string, m: Measured, notes?: string) => {
    const rate = mb(m.bytesIn) / m.seconds;
    rows.push({
      name,
      mbPerSec: round(rate),
      ratioToPassthrough: round(passRate / rate),
      ...(notes === undefined ? {} : { notes }),
    });
  };

  addRow(
    'floor: UTF-8 decode + encode only (TransformStream)',
    floor,
    'what any text-level masker pays before looking at the text',
  );

  // The masker's lexer with nothing listening: decoding plus strict JSON
  // validation, the part every masked read pays whatever the profile.
  const lexed = await best(2, () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const lexer = new JsonLexer(ignoreTokens, { multiDocument: false, maxDepth: 512 });
    return measure(
      corpusStream(corpus, largeBytes, 'json'),
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          lexer.push(decoder.decode(chunk, { stream: true }));
          controller.enqueue(chunk);
        },
        flush: () => lexer.end(),
      }),
    );
  });
  addRow(
    'JSON lexer alone (decode + validate, no masking)',
    lexed,
    'the floor of a streaming JSON masker in JS',
  );

  let counts: Record<string, number> = {};
  const json = await best(2, async () => {
    const masker = session(profile, 'application/json', hmacKey);
    const m = await measure(corpusStream(corpus, largeBytes, 'json'), masker);
    counts = masker.counts();
    return m;
  });
  addRow(
    `mask JSON trace ${round(mb(json.bytesIn))} MB (realistic profile)`,
    json,
    `masked: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );

  /** The best of two runs of one profile over `largeBytes` of a corpus. */
  const masked = (
    source: Corpus,
    maskProfile: MaskingProfile,
    type = 'application/json',
    format: 'json' | 'ndjson' = 'json',
  ) =>
    best(2, () =>
      measure(corpusStream(source, largeBytes, format), session(maskProfile, type, hmacKey)),
    );

  const ndjson = await masked(corpus, profile, 'application/x-ndjson', 'ndjson');
  addRow(`mask NDJSON ${round(mb(ndjson.bytesIn))} MB`, ndjson);

  const detectorsOnly = maskingProfileSchema.parse({ scanJsonInStrings: false });
  addRow(
    'mask JSON, detectors only (no JSON-in-string, no rules)',
    await masked(corpus, detectorsOnly),
  );

  // The masker's own floor on this corpus: no detector and no field rule,
  // but every token is still handled (strings held and decoded, JSON held
  // in strings lexed again). Then the same documents with that JSON parsed
  // out into real objects: if re-lexing nested JSON were the cost, this
  // would be much faster.
  const structureOnly = maskingProfileSchema.parse({ detectors: [] });
  addRow(
    'mask JSON, structure only (no detectors, no rules; JSON-in-string lexed)',
    await masked(corpus, structureOnly),
    'the masker without rules or detectors: per-token work on top of the lexer',
  );
  addRow(
    'same, on the corpus with JSON-in-strings parsed out into objects',
    await masked(unnestedCorpus(corpus), structureOnly),
    'no nested JSON left to re-lex',
  );

  addRow(
    'mask the same bytes as text/plain (sliding window)',
    await masked(corpus, profile, 'text/plain'),
  );

  const sse = sseCorpus(corpus.planted);
  let sseCounts: Record<string, number> = {};
  const events = await best(2, async () => {
    const masker = session(profile, 'text/event-stream', hmacKey);
    const m = await measure(corpusStream(sse, largeBytes / 4, 'raw'), masker);
    sseCounts = masker.counts();
    return m;
  });
  addRow(
    `mask SSE (Anthropic stream, repeated) ${round(mb(events.bytesIn))} MB`,
    events,
    `masked: ${Object.entries(sseCounts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );

  const baseline = process.memoryUsage();
  const huge = await measure(
    corpusStream(corpus, hugeBytes, 'json'),
    session(profile, 'application/json', hmacKey),
  );
  addRow(
    `mask JSON trace ${round(mb(huge.bytesIn))} MB, streamed`,
    huge,
    `peak RSS ${round(mb(huge.peakRss))} MB (start ${round(mb(baseline.rss))} MB), peak heap ${round(mb(huge.peakHeap))} MB (start ${round(mb(baseline.heapUsed))} MB)`,
  );

  rows.push(...(await peerRows(corpus, profile, hmacKey, largeBytes, passRate)));
  return rows;
}

/** @redactpii/node on the same corpus: throughput, and which planted values each tool masks. */
async function peerRows(
  corpus: Corpus,
  profile: MaskingProfile,
  hmacKey: CryptoKey,
  bytes: number,
  passRate: number,
): Promise<Row[]> {
  let Redactor: new () => { redact(text: string): string };
  try {
    ({ Redactor } = (await import('@redactpii/node')) as {
      Redactor: new () => { redact(text: string): string };
    });
  } catch {
    return [
      { name: 'peer @redactpii/node', mbPerSec: 0, ratioToPassthrough: 0, notes: 'not installed' },
    ];
  }
  const small = await measure(
    corpusStream(corpus, 2 * 1024 * 1024, 'json'),
    new TransformStream(),
    true,
  );
  const input = small.output ?? '';
  const ours = await measure(
    corpusStream(corpus, 2 * 1024 * 1024, 'json'),
    session(profile, 'application/json', hmacKey),
    true,
  );
  const redactor = new Redactor();
  const peerOutput = redactor.redact(input);

  // Throughput on the same JSON text, whole-string (it has no streaming API).
  const peerInput =
    (
      await measure(
        corpusStream(corpus, Math.min(bytes, 32 * 1024 * 1024), 'json'),
        new TransformStream(),
        true,
      )
    ).output ?? '';
  const started = performance.now();
  redactor.redact(peerInput);
  const seconds = (performance.now() - started) / 1000;
  const rate = mb(encoder.encode(peerInput).length) / seconds;

  const verdict = (output: string) => {
    const found: string[] = [];
    const missed: string[] = [];
    for (const [entity, value] of Object.entries(corpus.planted)) {
      const probe = entity === 'PRIVATE_KEY' ? (value.split('\n')[1] ?? value) : value;
      (output.includes(probe) || output.includes(JSON.stringify(probe).slice(1, -1))
        ? missed
        : found
      ).push(entity);
    }
    return `masks ${found.join(' ') || '-'}; misses ${missed.join(' ') || '-'}`;
  };
  const noise = [
    '2c1581dd9cecdafb6ca091b83d7ea99a',
    '2025-10-30T08:45:43.214Z',
    '04B49C49-15E0-55D5-9040-4D6FF6E415E6',
  ];
  const falsePositives = (output: string) =>
    noise.filter((n) => input.includes(n) && !output.includes(n)).length;
  return [
    {
      name: 'tracegate masker: what it finds (2 MB sample)',
      mbPerSec: round(mb(ours.bytesIn) / ours.seconds),
      ratioToPassthrough: round(passRate / (mb(ours.bytesIn) / ours.seconds)),
      notes: `${verdict(ours.output ?? '')}; trace ids/timestamps/host ids altered: ${falsePositives(ours.output ?? '')}/${noise.length}`,
    },
    {
      name: 'peer @redactpii/node redact() on the same JSON text (32 MB, whole string)',
      mbPerSec: round(rate),
      ratioToPassthrough: round(passRate / rate),
      notes: `${verdict(peerOutput)}; trace ids/timestamps/host ids altered: ${falsePositives(peerOutput)}/${noise.length}; not streaming, not JSON-aware`,
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Sizes from `npm run bench` (bench/run.ts checks them), else the defaults.
  const rows = await benchMasking({
    largeMb: Number(process.env.BENCH_MASKING_MB ?? 64),
    hugeMb: Number(process.env.BENCH_MASKING_HUGE_MB ?? 512),
  });
  printTable(
    'Masking (worker/masking): throughput per core, memory while streaming',
    ['benchmark', 'MB/s', 'x pass-through', 'notes'],
    rows.map((r) => [r.name, fixed(r.mbPerSec), fixed(r.ratioToPassthrough), r.notes ?? '']),
  );
}
