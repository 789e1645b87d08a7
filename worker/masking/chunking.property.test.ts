// Property tests (fast-check) over random documents with planted secrets and
// random chunkings, for every format:
//   1. the output is byte-identical for every chunking (splits inside a
//      secret, a multi-byte character or a JSON escape included);
//   2. no planted secret survives, in any chunking;
//   3. valid JSON in gives valid JSON out (and valid NDJSON lines).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProfile } from './compile-profile.ts';
import { StreamingTextScanner, maskCompleteText } from './engine.ts';
import { MaskOutput } from './output.ts';
import type { MaskingProfile } from './profile-schema.ts';
import {
  fake,
  makeJwt,
  makePemKey,
  maskText,
  fakeDetectorValues,
  profileOf,
  testKey,
  type MaskRun,
} from './test-support.ts';

interface Planted {
  /** Text put into the document. */
  text: string;
  /** What must not appear in the output. */
  secret: string;
}

let planted: Planted[] = [];
let key: CryptoKey;

beforeAll(async () => {
  const pem = await makePemKey();
  const jwt = await makeJwt({ sub: 'user-1', email: 'someone' });
  const bearer = fake.bearer();
  const basic = fake.basic();
  planted = [
    ...[...fakeDetectorValues(), jwt].map((text) => ({ text, secret: text })),
    { text: pem, secret: pem.split('\n')[1] ?? pem },
    { text: bearer, secret: bearer.slice('Bearer '.length) },
    { text: basic, secret: basic.slice('Basic '.length) },
    { text: fake.urlWithPassword(), secret: 'S3cr3t-Pa55' },
  ];
  key = await testKey();
});

/** Filler: words with multi-byte characters, JSON-special characters and no digits. */
const filler = fc.constantFrom(
  'the',
  'weather',
  'in',
  'Zürich',
  'naïve',
  '日本語',
  '😀',
  '👩‍💻',
  '"quoted"',
  'back\\slash',
  'tab\there',
  'line\nbreak',
  'ctl\u0001',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  'é',
);

const plantIndex = fc.nat({ max: 18 });

/** A sentence: filler and planted secrets, secrets always set apart by " ; ". */
const sentence = fc
  .array(
    fc.oneof(
      { arbitrary: filler, weight: 3 },
      { arbitrary: plantIndex.map((i) => ({ i })), weight: 1 },
    ),
    {
      maxLength: 8,
    },
  )
  .map((items) =>
    items
      .map((item) => (typeof item === 'string' ? item : ` ; ${planted[item.i]?.text ?? ''} ; `))
      .join(' '),
  );

const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    sentence,
    fc.integer(),
    fc.constantFrom(true, false, null, 4111111111111111, 1544712660000000000),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('id', 'signature', 'input', 'metadata', 'password', 'text'),
        sentence,
      ),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
    // JSON held in a string (Langfuse input/output, OTLP stringValue).
    tie('value').map((v) => JSON.stringify(v) ?? 'null'),
  ),
})).value;

/** Cut points as fractions of the input length, so they shrink well. */
const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 });

function cutsFor(input: string, fractions: readonly number[]): number[] {
  const length = new TextEncoder().encode(input).length;
  return fractions.map((f) => Math.floor(f * length));
}

function expectNoSecrets(run: MaskRun): void {
  for (const { secret } of planted) expect(run.output).not.toContain(secret);
}

const strict = profileOf({
  operators: { EMAIL: 'hash', CREDIT_CARD: { type: 'partial', keepLast: 4 } },
  fields: [{ path: '..password', action: 'redact' }],
});

const withRules = profileOf({
  operators: { default: 'hash' },
  fields: [
    { path: '..password', action: 'redact' },
    { path: '$.*.input', action: 'pseudonymise', entity: 'INPUT' },
  ],
  allow: ['..signature', '..id'],
});

const small = profileOf({ limits: { maxValueChars: 1024 } });

async function checkChunking(
  profile: MaskingProfile,
  type: string,
  input: string,
  fractions: number[],
): Promise<MaskRun> {
  const whole = await maskText(profile, type, input, { hmacKey: key });
  const chunked = await maskText(profile, type, input, {
    hmacKey: key,
    cuts: cutsFor(input, fractions),
  });
  expect(whole.error).toBeNull();
  expect(chunked.error).toBeNull();
  expect(chunked.output).toBe(whole.output);
  expect(chunked.counts).toEqual(whole.counts);
  return whole;
}

const runs = { numRuns: 120 };

describe('JSON properties', () => {
  it('every chunking gives the same bytes, valid JSON and no planted secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonValue,
        cutFractions,
        fc.constantFrom(0, 2),
        async (value, fractions, indent) => {
          const input = JSON.stringify({ doc: value, tail: ' ; x ; ' }, null, indent);
          const run = await checkChunking(strict, 'application/json', input, fractions);
          expect(() => JSON.parse(run.output)).not.toThrow();
          expectNoSecrets(run);
        },
      ),
      runs,
    );
  });

  it('field rules and keep paths do not change chunk-independence', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, cutFractions, async (value, fractions) => {
        const input = JSON.stringify([value, { input: value, id: value }]);
        const run = await checkChunking(withRules, 'application/json', input, fractions);
        expect(() => JSON.parse(run.output)).not.toThrow();
      }),
      runs,
    );
  });

  it('strings longer than maxValueChars, scanned in a window, are chunk-independent and leak nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sentence, { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 1500 }),
        cutFractions,
        async (parts, pad, fractions) => {
          const long = parts.join(` ${'ab '.repeat(pad)}`);
          const input = JSON.stringify({ long, nested: JSON.stringify({ long }) });
          const run = await checkChunking(small, 'application/json', input, fractions);
          expect(() => JSON.parse(run.output)).not.toThrow();
          expectNoSecrets(run);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a small document is identical when every byte is its own chunk', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, async (value) => {
        const input = JSON.stringify({ v: value });
        const length = new TextEncoder().encode(input).length;
        if (length > 4000) return;
        const whole = await maskText(strict, 'application/json', input, { hmacKey: key });
        const bytewise = await maskText(strict, 'application/json', input, {
          hmacKey: key,
          cuts: Array.from({ length }, (_, i) => i),
        });
        expect(bytewise.output).toBe(whole.output);
      }),
      { numRuns: 25 },
    );
  });
});

describe('NDJSON, SSE and text properties', () => {
  it('NDJSON: every chunking gives the same bytes, each line valid JSON, no planted secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { minLength: 1, maxLength: 5 }),
        cutFractions,
        async (values, fractions) => {
          const input = values.map((v) => JSON.stringify({ v })).join('\n') + '\n';
          const run = await checkChunking(strict, 'application/x-ndjson', input, fractions);
          for (const line of run.output.split('\n').filter((l) => l !== ''))
            expect(() => JSON.parse(line)).not.toThrow();
          expectNoSecrets(run);
        },
      ),
      runs,
    );
  });

  it('SSE: every chunking gives the same bytes and no planted secret', async () => {
    const event = fc.oneof(
      jsonValue.map((v) => `event: delta\ndata: ${JSON.stringify({ v })}  \n\n`),
      sentence.map((s) => `data: ${s.replace(/\n/g, '\ndata: ')}\r\n\r\n`),
      sentence.map((s) => `: ${s.replace(/\n/g, ' ')}\nid: 1\n\n`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 5 }),
        cutFractions,
        async (events, fractions) => {
          const run = await checkChunking(strict, 'text/event-stream', events.join(''), fractions);
          expectNoSecrets(run);
        },
      ),
      runs,
    );
  });

  it('text: every chunking gives the same bytes and no planted secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sentence, { minLength: 1, maxLength: 12 }),
        cutFractions,
        async (sentences, fractions) => {
          const run = await checkChunking(strict, 'text/plain', sentences.join('\n'), fractions);
          expectNoSecrets(run);
        },
      ),
      runs,
    );
  });
});

describe('streaming text window properties', () => {
  // Small batches force decisions before the end of input, which is where
  // chunk-dependence would show. Two detector sets: one whose reach is short
  // (so most of the text is decided early) and the full catalog.
  const engines = () => [
    compileProfile(profileOf({ detectors: ['EMAIL'] })).engine,
    compileProfile(profileOf({ detectors: ['CREDIT_CARD', 'PHONE', 'IPV6'] })).engine,
    compileProfile(
      profileOf({ disabledDetectors: ['PRIVATE_KEY', 'JWT', 'BEARER_TOKEN', 'BASIC_AUTH'] }),
    ).engine,
    compileProfile(profileOf()).engine,
  ];

  it('pushing text in any pieces gives the same output as masking it whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sentence, { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 12_000 }),
        cutFractions,
        fc.integer({ min: 1, max: 512 }),
        fc.nat({ max: 3 }),
        async (sentences, pad, fractions, batch, which) => {
          const engine = engines()[which];
          if (engine === undefined) return;
          const text = sentences.join(
            ` ${'ab '.repeat(which === 3 ? pad : pad / 20 / sentences.length)}\n`,
          );
          const expected = maskCompleteText(engine, text);
          const output = new MaskOutput();
          const scanner = new StreamingTextScanner(engine, output, batch);
          const cuts = [...new Set(fractions.map((f) => Math.floor(f * text.length)))].sort(
            (a, b) => a - b,
          );
          let start = 0;
          for (const cut of [...cuts, text.length]) {
            scanner.push(text.slice(start, cut));
            start = cut;
          }
          scanner.end();
          const render = (o: MaskOutput | null) =>
            o === null
              ? text
              : o.parts.map((p) => (typeof p === 'string' ? p : `[${p.entity}:#]`)).join('');
          expect(render(output)).toBe(render(expected));
          expect(Object.fromEntries(output.counts)).toEqual(
            Object.fromEntries(expected?.counts ?? []),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('streaming text window: every split point around every secret', () => {
  it('a split anywhere in or next to a secret, after a prefix longer than the window, changes nothing', () => {
    const catalogs = [
      compileProfile(profileOf({ detectors: ['EMAIL'] })).engine,
      compileProfile(
        profileOf({ disabledDetectors: ['PRIVATE_KEY', 'JWT', 'BEARER_TOKEN', 'BASIC_AUTH'] }),
      ).engine,
      compileProfile(profileOf()).engine,
    ];
    for (const engine of catalogs) {
      const prefix = 'ab '.repeat(Math.ceil((engine.detectors.maxReach + 64) / 3));
      for (const { text: secret } of planted) {
        const text = `${prefix} ; ${secret} ; tail text`;
        const expected = maskCompleteText(engine, text);
        const render = (o: MaskOutput | null) =>
          o === null
            ? text
            : o.parts.map((p) => (typeof p === 'string' ? p : `[${p.entity}:#]`)).join('');
        const start = prefix.length + 3;
        for (let cut = start - 4; cut <= start + secret.length + 4; cut++) {
          const output = new MaskOutput();
          const scanner = new StreamingTextScanner(engine, output, 1);
          scanner.push(text.slice(0, cut));
          scanner.push(text.slice(cut));
          scanner.end();
          expect(render(output), `cut at ${cut - start} of ${secret.slice(0, 12)}`).toBe(
            render(expected),
          );
        }
      }
    }
  });
});
