// JSON masking behaviour: byte preservation, decoding before detection,
// field rules, JSON inside strings, keys, numbers, limits and failures.
import { describe, expect, it } from 'vitest';
import { MaskingError } from './errors.ts';
import { fake, makePemKey, maskText, profileOf } from './test-support.ts';

const json = (profile: Parameters<typeof profileOf>[0], input: string) =>
  maskText(profileOf(profile), 'application/json', input);

describe('JSON: pass-through', () => {
  it('a document with nothing to mask comes out byte for byte, escapes and spacing included', async () => {
    const input =
      '{ "a" : [1, -2.5e3, true, null],\n\t"b": "caf\\u00e9 \\/ \\"q\\" 日本 😀", "c": {} }\n';
    const run = await json({}, input);
    expect(run.error).toBeNull();
    expect(run.output).toBe(input);
    expect(run.counts).toEqual({});
  });

  it('a long string full of escapes (past the lexer run bound) passes byte for byte in any chunking', async () => {
    const input = JSON.stringify({ s: 'a\\"b\n/'.repeat(3000) + 'é'.repeat(5000) });
    const cuts = Array.from({ length: 60 }, (_, i) => i * 977 + 3);
    expect((await maskText(profileOf({}), 'application/json', input, { cuts })).output).toBe(input);
  });

  it('an empty body stays empty', async () => {
    expect((await json({}, '')).output).toBe('');
  });
});

describe('JSON: detectors run on decoded strings', () => {
  it('a PEM key written with \\n escapes is found and the output stays valid JSON', async () => {
    const pem = await makePemKey();
    const run = await json({}, JSON.stringify({ tool_output: `here:\n${pem}\nthanks` }));
    expect(JSON.parse(run.output)).toEqual({ tool_output: 'here:\n[PRIVATE_KEY]\nthanks' });
    expect(run.counts).toEqual({ PRIVATE_KEY: 1 });
  });

  it('an e-mail address hidden behind a \\u0040 escape is found', async () => {
    const run = await json({}, '{"m":"jane.doe\\u0040example.org"}');
    expect(run.output).toBe('{"m":"[EMAIL]"}');
  });

  it('replacement text is escaped, so a partial mask of a value with quotes stays valid', async () => {
    const run = await json(
      { operators: { EMAIL: { type: 'partial', keepLast: 3 } } },
      JSON.stringify({ m: `"${fake.email()}"` }),
    );
    expect(JSON.parse(run.output)).toEqual({ m: '"****.***@*******.org"' });
  });

  it('a card number stored as a JSON number becomes a string placeholder', async () => {
    const run = await json({}, '{"pan":4111111111111111,"n":1544712660000000000}');
    expect(run.output).toBe('{"pan":"[CREDIT_CARD]","n":1544712660000000000}');
  });

  it('member names are scanned, and can be left alone', async () => {
    const input = JSON.stringify({ [fake.email()]: { role: 'admin' } });
    expect((await json({}, input)).output).toBe('{"[EMAIL]":{"role":"admin"}}');
    expect((await json({ scanKeys: false }, input)).output).toBe(input);
  });
});

describe('JSON: field rules', () => {
  const doc = {
    trace: { id: 'abc', userId: 'jannik', tags: ['x'] },
    observations: [
      {
        id: 'o1',
        secret: { password: 'p', nested: [1, 2] },
        count: 3,
        ok: true,
        none: null,
        note: fake.email(),
      },
      { id: 'o2', signature: `sig ${fake.email()}`, note: 'fine' },
    ],
  };

  it('redact replaces any value, scalar or container, with a placeholder; null stays null', async () => {
    const run = await json(
      {
        fields: [
          { path: '$.observations[*].secret', action: 'redact' },
          { path: '..count', action: 'redact', entity: 'COUNT' },
          { path: '..ok', action: 'redact' },
          { path: '..none', action: 'redact' },
        ],
      },
      JSON.stringify(doc),
    );
    const out = JSON.parse(run.output) as typeof doc;
    expect(out.observations[0]).toMatchObject({
      secret: '[REDACTED]',
      count: '[COUNT]',
      ok: '[REDACTED]',
      none: null,
    });
    expect(run.counts).toEqual({ REDACTED: 2, COUNT: 1, EMAIL: 2 });
  });

  it('keep and allow skip detection; a deeper rule still applies inside a kept subtree', async () => {
    const run = await json(
      {
        fields: [
          { path: '$.observations', action: 'keep' },
          { path: '$.observations[0].note', action: 'scan' },
        ],
        allow: ['..signature'],
      },
      JSON.stringify(doc),
    );
    const out = JSON.parse(run.output) as typeof doc;
    expect(out.observations[0]?.note).toBe('[EMAIL]');
    expect(out.observations[1]?.signature).toBe(doc.observations[1]?.signature);
  });

  it('pseudonymise maps equal values to equal tokens, different values to different ones', async () => {
    const input = JSON.stringify({
      a: { user: 'jannik' },
      b: { user: 'jannik' },
      c: { user: 'someone' },
    });
    const run = await json(
      { fields: [{ path: '..user', action: 'pseudonymise', entity: 'USER' }] },
      input,
    );
    const out = JSON.parse(run.output) as Record<string, { user: string }>;
    expect(out.a?.user).toMatch(/^\[USER:[0-9a-f]{12}\]$/);
    expect(out.b?.user).toBe(out.a?.user);
    expect(out.c?.user).not.toBe(out.a?.user);
    expect(run.counts).toEqual({ USER: 3 });
  });

  it('the first rule in the list wins at the same path', async () => {
    const run = await json(
      {
        fields: [
          { path: '$.trace.userId', action: 'keep' },
          { path: '..userId', action: 'redact' },
        ],
      },
      JSON.stringify(doc),
    );
    expect((JSON.parse(run.output) as typeof doc).trace.userId).toBe('jannik');
  });

  it('path rules reach into JSON held in strings, at any depth of encoding', async () => {
    const metadata = JSON.stringify({
      resourceAttributes: { 'host.name': 'Janniks-MacBook-Pro.local', 'process.owner': 'jannik' },
    });
    const input = JSON.stringify({
      observations: [{ metadata, doubled: JSON.stringify(metadata) }],
    });
    const run = await json(
      {
        fields: [
          {
            path: `$.observations[*].metadata.resourceAttributes['host.name']`,
            action: 'redact',
            entity: 'HOSTNAME',
          },
          { path: `..['process.owner']`, action: 'redact', entity: 'USERNAME' },
        ],
      },
      input,
    );
    const out = JSON.parse(run.output) as { observations: { metadata: string; doubled: string }[] };
    const inner = JSON.parse(out.observations[0]?.metadata ?? '') as {
      resourceAttributes: Record<string, string>;
    };
    expect(inner.resourceAttributes).toEqual({
      'host.name': '[HOSTNAME]',
      'process.owner': '[USERNAME]',
    });
    const doubled = JSON.parse(
      JSON.parse(out.observations[0]?.doubled ?? '') as string,
    ) as typeof inner;
    expect(doubled.resourceAttributes['process.owner']).toBe('[USERNAME]');
    expect(run.counts).toEqual({ HOSTNAME: 1, USERNAME: 2 });
  });

  it('a string that only looks like JSON is masked as text', async () => {
    const run = await json({}, JSON.stringify({ s: `[1,2] then ${fake.email()}]` }));
    expect(JSON.parse(run.output)).toEqual({ s: '[1,2] then [EMAIL]]' });
  });
});

describe('JSON: limits', () => {
  const big = (n: number) => 'lorem ipsum '.repeat(Math.ceil(n / 12)).slice(0, n);

  it('a string longer than maxValueChars is scanned in a window, not held whole', async () => {
    const value = `${big(3000)} ${fake.email()} ${big(3000)}`;
    const run = await json({ limits: { maxValueChars: 1024 } }, JSON.stringify({ v: value }));
    expect(JSON.parse(run.output)).toEqual({ v: value.replace(fake.email(), '[EMAIL]') });
  });

  it('oversizedValues: fail ends the stream instead', async () => {
    const run = await json(
      { limits: { maxValueChars: 1024, oversizedValues: 'fail' } },
      JSON.stringify({ v: big(2000) }),
    );
    expect(run.error).toBeInstanceOf(MaskingError);
    expect((run.error as MaskingError).code).toBe('value_too_large');
  });

  it('a value to pseudonymise that is too long to hold fails closed', async () => {
    const run = await json(
      { limits: { maxValueChars: 1024 }, fields: [{ path: '$.v', action: 'pseudonymise' }] },
      JSON.stringify({ v: big(2000) }),
    );
    expect((run.error as MaskingError).code).toBe('value_too_large');
  });

  it('kept and redacted values of any length stream without being held', async () => {
    const run = await json(
      {
        limits: { maxValueChars: 1024, oversizedValues: 'fail' },
        fields: [
          { path: '$.k', action: 'keep' },
          { path: '$.r', action: 'redact' },
        ],
      },
      JSON.stringify({ k: big(5000), r: big(5000) }),
    );
    expect(JSON.parse(run.output)).toEqual({ k: big(5000), r: '[REDACTED]' });
  });

  it('a member name longer than maxValueChars fails', async () => {
    const run = await json({ limits: { maxValueChars: 1024 } }, JSON.stringify({ [big(2000)]: 1 }));
    expect((run.error as MaskingError).code).toBe('value_too_large');
  });

  it('nesting deeper than maxDepth fails', async () => {
    const run = await json({ limits: { maxDepth: 10 } }, '['.repeat(11) + ']'.repeat(11));
    expect((run.error as MaskingError).code).toBe('nesting_too_deep');
  });
});

describe('JSON: malformed input fails closed', () => {
  const cases: [string, string][] = [
    ['an unterminated string', `{"a":"${fake.email()}`],
    ['a bare word', `{"a": ${fake.email()}}`],
    ['a trailing comma', '{"a":[1,2,]}'],
    ['a bad escape', '{"a":"\\x41"}'],
    ['a raw control character', '{"a":"line\nbreak"}'],
    ['a leading zero', '{"a":012}'],
    ['two documents', '{"a":1}{"b":2}'],
    ['a truncated literal', '{"a":tru'],
    ['single quotes', "{'a':1}"],
    [
      'a control character deep in a long string',
      `{"a":"${'x'.repeat(9000)}\u0001"}`.replace('\\u0001', '\u0001'),
    ],
  ];
  for (const [what, input] of cases) {
    it(`${what} errors the stream with malformed_json and leaks nothing`, async () => {
      const run = await json({}, input);
      expect(run.error).toBeInstanceOf(MaskingError);
      expect((run.error as MaskingError).code).toBe('malformed_json');
      expect(run.output).not.toContain(fake.email());
    });
  }

  it('bytes that are not UTF-8 fail with malformed_utf8', async () => {
    const run = await maskText(
      profileOf({}),
      'application/json',
      new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    );
    expect((run.error as MaskingError).code).toBe('malformed_utf8');
  });

  it('what was emitted before the error is a masked prefix, and nothing follows the error', async () => {
    const head = JSON.stringify({ first: fake.email(), pad: 'x'.repeat(5000) }).slice(0, -1);
    const input = `${head},"second":"${fake.card()}", oops }`;
    const cuts = Array.from({ length: 40 }, (_, i) => i * 137);
    const run = await maskText(profileOf({}), 'application/json', input, { cuts });
    expect((run.error as MaskingError).code).toBe('malformed_json');
    expect(run.output.length).toBeGreaterThan(0);
    expect(
      `{"first":"[EMAIL]","pad":"${'x'.repeat(5000)}","second":"[CREDIT_CARD]", oops }`.startsWith(
        run.output,
      ),
    ).toBe(true);
    expect(run.output).not.toContain(fake.email());
  });
});
