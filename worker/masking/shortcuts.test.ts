// The masker's shortcuts only save work; they never change the output:
//   - a JSON text held in a string with no backslash is passed through
//     unlexed when no detector can match in it and no redact / pseudonymise
//     rule can apply below it, and its plain tokens are not scanned when no
//     detector can match in it (json-masker.ts, DetectorSet.mayMatchInJson);
//   - searching a detector over a whole JSON text stands for searching each
//     of its strings only when that is sound (detectors/boundary.ts);
//   - custom detectors get a literal-prefix trigger (detectors/compile.ts);
//   - path steps for names no rule waits for are shared (path-pattern.ts).
// Oracles: a document masked on its own and the same document held in a
// string (where the shortcuts apply) must mask alike; and any document must
// mask alike with the shortcuts on and off.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_DETECTORS } from './detectors/catalog.ts';
import { searchableAcrossJson } from './detectors/boundary.ts';
import { literalPrefixTrigger } from './detectors/compile.ts';
import { PathMatcher, parsePathPattern } from './path-pattern.ts';
import { fake, fakeDetectorValues, makeJwt, maskText, profileOf } from './test-support.ts';

let secrets: string[] = [];

beforeAll(async () => {
  secrets = [
    ...fakeDetectorValues(),
    fake.bearer(),
    fake.basic(),
    fake.urlWithPassword(),
    await makeJwt({ sub: 'user-1' }),
    `__cf_bm=${'x'.repeat(24)}`,
  ];
});

const profile = profileOf({
  customDetectors: [{ name: 'CF_COOKIE', pattern: String.raw`__cf_bm=[\w.=-]{20,512}` }],
  limits: { maxJsonInStringDepth: 16 },
});

/** Words without characters JSON escapes, so documents held in strings have no backslash. */
const word = fc.constantFrom('the', 'weather', 'Zürich', '日本語', '😀', ':', '-', '.', '+1', '42');

const text = fc
  .array(fc.oneof({ arbitrary: word, weight: 3 }, { arbitrary: fc.nat({ max: 18 }), weight: 1 }), {
    maxLength: 6,
  })
  .map((items) =>
    items.map((item) => (typeof item === 'string' ? item : (secrets[item] ?? ''))).join(' '),
  );

/** Secrets right at string edges too (the whole-text search sees `"` there). */
const edgy = fc.oneof(
  text,
  fc.nat({ max: 18 }).map((i) => secrets[i] ?? ''),
);

const doc: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    edgy,
    fc.integer(),
    fc.constantFrom(4111111111111111, null, true),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(edgy, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('JSON held in a string masks like the same JSON on its own', () => {
  it('for random documents with secrets in values, names, numbers and at string edges', async () => {
    await fc.assert(
      fc.asyncProperty(doc, async (value) => {
        const inner = JSON.stringify([value]);
        const alone = await maskText(profile, 'application/json', inner);
        const held = await maskText(
          profile,
          'application/json',
          JSON.stringify({ x: inner, y: [inner] }),
        );
        expect(alone.error).toBeNull();
        expect(held.error).toBeNull();
        const parsed = JSON.parse(held.output) as { x: string; y: string[] };
        expect(parsed.x).toBe(alone.output);
        expect(parsed.y[0]).toBe(alone.output);
        for (const [entity, n] of Object.entries(alone.counts))
          expect(held.counts[entity]).toBe(2 * n);
      }),
      { numRuns: 150 },
    );
  });

  it('each secret alone, as a value, a name and inside a word, is found in a held document', async () => {
    for (const secret of secrets) {
      for (const inner of [
        JSON.stringify({ a: secret }),
        JSON.stringify({ [secret]: 1 }),
        JSON.stringify([`x ${secret} y`]),
      ]) {
        const alone = await maskText(profile, 'application/json', inner);
        const held = await maskText(profile, 'application/json', JSON.stringify({ x: inner }));
        expect((JSON.parse(held.output) as { x: string }).x).toBe(alone.output);
      }
    }
  });
});

describe('shortcuts on and off mask alike', () => {
  // The oracle above needs documents without escapes. This one does not:
  // the same input through a masker with its shortcuts off (every token
  // lexed and scanned) must give the same bytes and counts. Documents nest
  // JSON in strings up to three layers, with escapes at every layer (quotes,
  // backslashes, newlines, control characters, \u escapes of letters and of
  // "@"), pretty-printed or compact, with rule names and secrets anywhere.
  const ruled = profileOf({
    customDetectors: [{ name: 'CF_COOKIE', pattern: String.raw`__cf_bm=[\w.=-]{20,512}` }],
    fields: [
      { path: '..password', action: 'redact' },
      { path: "..attrs['host.name']", action: 'pseudonymise', entity: 'HOST' },
    ],
    allow: ['..id'],
    limits: { maxJsonInStringDepth: 16 },
  });
  const escapy = fc.constantFrom(
    'line\nbreak',
    'say "hi"',
    'back\\slash',
    'tab\there',
    'ctl\u0001',
    'a/b',
    'Zürich',
    '😀',
    '2025-10-30T08:45:12Z',
    '+1',
    '42',
  );
  const names = fc.constantFrom('password', 'attrs', 'host.name', 'id', 'content', 'm', 'a b');
  /** JSON text of a value, compact or pretty, some letters or "@" written as \u escapes. */
  const serialize = (value: unknown, mode: number): string => {
    const json = JSON.stringify(value, null, mode === 1 ? 2 : undefined);
    if (mode === 2) return json.replace(/password/g, '\\u0070assword');
    if (mode === 3) return json.replace(/@/g, '\\u0040').replace(/host/g, 'h\\u006fst');
    return json;
  };
  // Looks like JSON, is not; as text it holds a card, which with its escape
  // decoded runs into a letter and is none.
  const notJson = `{"k": "${fake.card()}\\u0041",,}`;
  // Mostly clean text, so that held documents are often clean (and, without
  // escapes, skipped).
  const leaf = fc.oneof(
    { arbitrary: escapy, weight: 8 },
    { arbitrary: fc.constant(notJson), weight: 1 },
    { arbitrary: fc.nat({ max: 18 }).map((i) => secrets[i] ?? ''), weight: 1 },
    {
      arbitrary: fc
        .tuple(escapy, fc.nat({ max: 18 }), escapy)
        .map(([a, i, b]) => `${a} ${secrets[i] ?? ''}${b}`),
      weight: 1,
    },
  );
  const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 2 },
      { arbitrary: fc.integer(), weight: 1 },
      { arbitrary: fc.constantFrom(4111111111111111, null, true), weight: 1 },
      { arbitrary: fc.array(tie('value'), { maxLength: 4 }), weight: 1 },
      {
        arbitrary: fc.dictionary(fc.oneof(names, names, leaf), tie('value'), { maxKeys: 4 }),
        weight: 2,
      },
      {
        // A JSON text held in a string.
        arbitrary: fc
          .tuple(tie('value'), fc.nat({ max: 3 }), fc.boolean())
          .map(([inner, mode, named]) => serialize(named ? { password: inner } : [inner], mode)),
        weight: 3,
      },
    ),
  })).value;

  it('for random documents with JSON in strings, escapes at every layer, rules and secrets', async () => {
    await fc.assert(
      fc.asyncProperty(value, fc.nat({ max: 3 }), async (v, mode) => {
        const input = serialize({ m: v }, mode);
        const fast = await maskText(ruled, 'application/json', input);
        const thorough = await maskText(ruled, 'application/json', input, { shortcuts: false });
        expect(thorough.error).toBeNull();
        expect(fast.error).toBeNull();
        expect(fast.output).toBe(thorough.output);
        expect(fast.counts).toEqual(thorough.counts);
      }),
      { numRuns: 500 },
    );
  });

  it('a rule name written with an escape two layers down still applies', async () => {
    const inner = JSON.stringify({ note: 'plain' }).replace('note', '\\u0070assword');
    const input = JSON.stringify({ m: JSON.stringify({ c: inner }) });
    const run = await maskText(ruled, 'application/json', input);
    expect(run.counts).toEqual({ REDACTED: 1 });
    expect(run.output).not.toContain('plain');
  });

  it('an escaped secret two layers down is still found', async () => {
    const inner = JSON.stringify({ note: `mail ${fake.email()}` }).replace('@', '\\u0040');
    const input = JSON.stringify({ m: JSON.stringify({ c: inner }) });
    const run = await maskText(ruled, 'application/json', input);
    expect(run.counts).toEqual({ EMAIL: 1 });
  });
});

describe('field rules inside JSON held in strings, without detector findings', () => {
  const rules = profileOf({
    fields: [
      { path: '..password', action: 'redact' },
      { path: '$.a.b[*]', action: 'redact' },
      { path: "..attrs['host.name']", action: 'redact', entity: 'HOST' },
    ],
  });

  it('a rule whose last name is inside the held document applies', async () => {
    const run = await maskText(
      rules,
      'application/json',
      JSON.stringify({ m: JSON.stringify({ password: 'hunter2', attrs: { 'host.name': 'box' } }) }),
    );
    expect(run.output).not.toContain('hunter2');
    expect(run.output).not.toContain('box');
    expect(run.counts).toEqual({ REDACTED: 1, HOST: 1 });
  });

  it('a rule whose names were all matched outside applies to what is inside', async () => {
    const run = await maskText(rules, 'application/json', JSON.stringify({ a: { b: '[1,2]' } }));
    expect(run.counts).toEqual({ REDACTED: 2 });
  });

  it('a held document none of whose names a rule waits for passes byte for byte', async () => {
    const input = JSON.stringify({ m: JSON.stringify({ user: 'x', attrs: { host: 'box' } }) });
    const run = await maskText(rules, 'application/json', input);
    expect(run.output).toBe(input);
  });
});

describe('whole-JSON search soundness (boundary.ts)', () => {
  it('holds for every built-in detector, with numbers for the numeric ones', () => {
    for (const spec of BUILT_IN_DETECTORS)
      expect([
        spec.entity,
        searchableAcrossJson(spec.source, spec.flags ?? '', spec.numeric === true),
      ]).toEqual([spec.entity, true]);
  });

  it('is refused for patterns that look past an edge in a way a delimiter changes', () => {
    for (const source of [
      '^EMP-\\d{6}',
      'EMP-\\d{6}$',
      '(?<=id=)\\d{6}',
      '\\d{6}(?=")',
      '\\d{6}(?![^a])',
      '\\d{6}(?!\\W)',
      '\\d{6}(?!.)',
      '\\d{6}(?!x")',
      '(?<!")\\d{6}',
      '\\d{6}(?!(?:x))',
    ])
      expect([source, searchableAcrossJson(source, '', false)]).toEqual([source, false]);
    // `,` delimits numbers, not strings.
    expect(searchableAcrossJson('\\d{6}(?![,])', '', false)).toBe(true);
    expect(searchableAcrossJson('\\d{6}(?![,])', '', true)).toBe(false);
  });
});

describe('literal-prefix triggers for custom detectors', () => {
  it('is the literal text every match starts with, or null', () => {
    expect(literalPrefixTrigger(String.raw`__cf_bm=[\w.=-]{20,512}`, '')).toBe('__cf_bm=');
    expect(literalPrefixTrigger(String.raw`EMP-\d{6}`, 'i')).toBe('[Ee][Mm][Pp]-');
    expect(literalPrefixTrigger(String.raw`EMP-\d{6}`, 'iu')).toBeNull();
    expect(literalPrefixTrigger('abcd{2}', '')).toBe('abc');
    expect(literalPrefixTrigger('abc?d', '')).toBeNull();
    expect(literalPrefixTrigger('abcd|efgh', '')).toBeNull();
    expect(literalPrefixTrigger('(?:a|b)cdef', '')).toBeNull();
    expect(literalPrefixTrigger('abcd(?:x|y)', '')).toBe('abcd');
  });

  it('a case-insensitive custom detector still finds every case', async () => {
    const custom = profileOf({
      detectors: [],
      customDetectors: [{ name: 'EMP', pattern: String.raw`EMP-\d{6}`, flags: 'i' }],
    });
    const run = await maskText(custom, 'application/json', '["emp-123456","Emp-654321 x"]');
    expect(run.output).toBe('["[EMP]","[EMP] x"]');
  });
});

describe('path steps', () => {
  it('a name no rule waits for steps like the rules say', () => {
    const matcher = new PathMatcher(
      ['..password', '$.a.*.c', "$['a']['b']"].map((p) => parsePathPattern(p)),
    );
    const a = matcher.step(matcher.root, 'a');
    expect(matcher.firstAccepting(matcher.step(a, 'b'))).toBe(2);
    const other = matcher.step(a, 'zzz');
    expect(matcher.firstAccepting(matcher.step(other, 'c'))).toBe(1);
    expect(matcher.firstAccepting(matcher.step(other, 'password'))).toBe(0);
    expect(matcher.firstAccepting(matcher.step(matcher.step(other, 'x'), 'c'))).toBe(-1);
  });
});
