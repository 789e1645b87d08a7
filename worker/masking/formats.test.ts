// NDJSON, SSE and plain-text adapters.
import { describe, expect, it } from 'vitest';
import type { MaskingError } from './errors.ts';
import { fake, makePemKey, maskText, profileOf } from './test-support.ts';

describe('NDJSON', () => {
  it('masks each line as its own document, with paths rooted per line', async () => {
    const input = `${JSON.stringify({ user: 'a', m: fake.email() })}\n\n${JSON.stringify({ user: 'b' })}\r\n`;
    const run = await maskText(
      profileOf({ fields: [{ path: '$.user', action: 'redact' }] }),
      'application/x-ndjson',
      input,
    );
    expect(run.output).toBe('{"user":"[REDACTED]","m":"[EMAIL]"}\n\n{"user":"[REDACTED]"}\r\n');
  });

  it('a last line without a newline is fine', async () => {
    expect((await maskText(profileOf(), 'application/jsonl', '{"a":1}\n{"b":2}')).output).toBe(
      '{"a":1}\n{"b":2}',
    );
  });

  it('two documents on one line are malformed', async () => {
    const run = await maskText(profileOf(), 'application/x-ndjson', '{"a":1} {"b":2}\n');
    expect((run.error as MaskingError).code).toBe('malformed_json');
  });

  it('a broken line fails the stream after the good lines', async () => {
    const run = await maskText(
      profileOf(),
      'application/x-ndjson',
      `{"a":"${fake.email()}"}\n{"b":\n`,
    );
    expect((run.error as MaskingError).code).toBe('malformed_json');
    expect(run.output.startsWith('{"a":"[EMAIL]"}\n')).toBe(true);
  });
});

describe('SSE', () => {
  const sse = (input: string, profile = profileOf()) =>
    maskText(profile, 'text/event-stream; charset=utf-8', input);

  it('an event with nothing to mask passes byte for byte, irregular spacing included', async () => {
    const input = 'event: ping\ndata: {"type": "ping"}          \n\n: comment\nretry: 100\n\n';
    expect((await sse(input)).output).toBe(input);
  });

  it('a JSON payload is masked as JSON, with path rules rooted at the payload', async () => {
    const payload = {
      type: 'content_block_delta',
      delta: { type: 'signature_delta', signature: `EooC${fake.email()}` },
      text: fake.email(),
    };
    const run = await sse(
      `event: content_block_delta\ndata: ${JSON.stringify(payload)}   \n\n`,
      profileOf({ allow: ['$.delta.signature'] }),
    );
    const line = run.output.split('\n')[1] ?? '';
    const out = JSON.parse(line.slice('data: '.length)) as typeof payload;
    expect(out.delta.signature).toBe(payload.delta.signature);
    expect(out.text).toBe('[EMAIL]');
    expect(run.output.startsWith('event: content_block_delta\ndata: ')).toBe(true);
    expect(run.output.endsWith('   \n\n')).toBe(true);
  });

  it('a multi-line payload is masked as one text and re-split into data lines', async () => {
    const pem = await makePemKey();
    const data = `my key\n${pem}\nbye`
      .split('\n')
      .map((l) => `data:${l}`)
      .join('\r\n');
    const run = await sse(`id: 7\r\n${data}\r\n\r\n`);
    expect(run.output).toBe('id: 7\r\ndata:my key\r\ndata:[PRIVATE_KEY]\r\ndata:bye\r\n\r\n');
  });

  it('comments and other fields are masked as text', async () => {
    const run = await sse(`: from ${fake.email()}\nevent: x\ndata: hi\n\n`);
    expect(run.output).toBe(': from [EMAIL]\nevent: x\ndata: hi\n\n');
  });

  it('an unterminated last event is still masked, never passed raw', async () => {
    const run = await sse(`data: ${fake.phone()}`);
    expect(run.output).toBe('data: [PHONE]');
  });

  it('an event longer than maxEventChars fails', async () => {
    const run = await sse(
      `data: ${'x'.repeat(5000)}\n\n`,
      profileOf({ limits: { maxEventChars: 1024 } }),
    );
    expect((run.error as MaskingError).code).toBe('value_too_large');
  });
});

describe('plain text', () => {
  it('masks secrets anywhere in the stream', async () => {
    const input = `user: ${fake.email()}\nauthorization: ${fake.bearer()}\nkey: ${fake.awsAccessKey()}\n`;
    const run = await maskText(profileOf(), 'text/plain', input);
    expect(run.output).toBe(
      'user: [EMAIL]\nauthorization: Bearer [BEARER_TOKEN]\nkey: [AWS_ACCESS_KEY]\n',
    );
    expect(run.counts).toEqual({ EMAIL: 1, BEARER_TOKEN: 1, AWS_ACCESS_KEY: 1 });
  });

  it('a long text is masked through the window with bounded holdback', async () => {
    const filler = 'The weather in Paris is rainy. '.repeat(20_000);
    const input = `${filler}${fake.card()} ${filler}${fake.email()}`;
    const run = await maskText(profileOf(), 'text/plain', input, {
      cuts: [100_000, 300_001, 620_000 + 5, 1_240_010],
    });
    expect(run.output).toBe(`${filler}[CREDIT_CARD] ${filler}[EMAIL]`);
  });
});
