// Every trace in ../shared/traces, masked with a realistic profile
// (test/fixtures/masking/trace-profile.yaml): first as it is (what changes
// must be only what the profile targets; ids, timestamps and signatures
// stay), then with secrets and PII planted into its real structure, which
// must all be found, in any chunking.
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import anthropicCassette from '../../../shared/traces/anthropic-thinking-streaming.cassette.json';
import langgraphTrace from '../../../shared/traces/langfuse-langgraph-js.trace.json';
import agentsTrace from '../../../shared/traces/langfuse-openai-agents.trace.json';
import genAiSpan from '../../../shared/traces/otel-genai-span-tool-calls.json';
import otlpText from '../../../shared/traces/otlp-example-trace.json?raw';
import cassetteYaml from '../../../shared/traces/openai-responses-reasoning.cassette.yaml?raw';
import profileYaml from '../../test/fixtures/masking/trace-profile.yaml?raw';
import { maskingProfileSchema, type MaskingProfile } from './profile-schema.ts';
import { fake, makeJwt, makePemKey, maskText, type MaskRun } from './test-support.ts';

let profile: MaskingProfile;
let pem: string;
let jwt: string;

beforeAll(async () => {
  profile = maskingProfileSchema.parse(parseYaml(profileYaml));
  pem = await makePemKey();
  jwt = await makeJwt({ sub: 'u-1' });
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Masks `input` whole and in 1-, 7- and 4096-byte-ish chunks; all must agree. */
async function maskEveryWay(type: string, input: string): Promise<MaskRun> {
  const whole = await maskText(profile, type, input);
  expect(whole.error).toBeNull();
  const length = new TextEncoder().encode(input).length;
  for (const step of [7, 4093]) {
    const cuts = Array.from({ length: Math.floor(length / step) }, (_, i) => (i + 1) * step);
    expect((await maskText(profile, type, input, { cuts })).output).toBe(whole.output);
  }
  return whole;
}

function expectAbsent(output: string, values: string[]): void {
  for (const value of values) expect(output).not.toContain(value);
}

describe('langfuse-langgraph-js.trace.json', () => {
  type Observation = {
    id: string;
    traceId: string;
    startTime: string;
    input: string | null;
    output: string | null;
    metadata: string;
  };
  type Trace = {
    trace: { id: string; userId: string | null; timestamp: string };
    observations: Observation[];
  };

  it('as exported: the developer machine is masked, ids and timestamps are not', async () => {
    const input = JSON.stringify(langgraphTrace);
    const run = await maskEveryWay('application/json', input);
    const out = JSON.parse(run.output) as Trace;
    const original = langgraphTrace as unknown as Trace;
    expect(run.output.toLowerCase()).not.toContain('jannik');
    expect(out.trace.id).toBe(original.trace.id);
    expect(out.trace.timestamp).toBe(original.trace.timestamp);
    out.observations.forEach((o, i) => {
      expect([o.id, o.traceId, o.startTime]).toEqual([
        original.observations[i]?.id,
        original.observations[i]?.traceId,
        original.observations[i]?.startTime,
      ]);
    });
    const metadata = JSON.parse(out.observations[0]?.metadata ?? '{}') as {
      resourceAttributes: Record<string, unknown>;
    };
    expect(metadata.resourceAttributes['host.name']).toMatch(/^\[HOSTNAME:[0-9a-f]{12}\]$/);
    expect(metadata.resourceAttributes['process.owner']).toBe('[USERNAME]');
    expect(metadata.resourceAttributes['host.id']).toBe('04B49C49-15E0-55D5-9040-4D6FF6E415E6');
    expect(run.counts).toEqual({ HOSTNAME: 21, USERNAME: 21, COMMAND: 42 });
  });

  it('planted PII and secrets in messages, tool output and parameters are found', async () => {
    const trace = clone(langgraphTrace) as unknown as Trace & {
      observations: (Observation & { modelParameters: unknown })[];
    };
    trace.trace.userId = fake.email();
    const first = trace.observations[0];
    const second = trace.observations[1];
    if (first === undefined || second === undefined) throw new Error('fixture changed');
    const messages = JSON.parse(first.input ?? '[]') as { content: string; role: string }[];
    messages.push({
      role: 'user',
      content: `I'm ${fake.email()}, call ${fake.phone()}; card ${fake.card()}, SSN ${fake.ssn()}`,
    });
    messages.push({
      role: 'tool',
      content: JSON.stringify({ deploy_key: pem, token: fake.githubToken() }),
    });
    first.input = JSON.stringify(messages);
    first.modelParameters = { api_key: fake.openAiKey(), temperature: 1 };
    second.output = JSON.stringify({
      messages: [{ kwargs: { content: `db ${fake.urlWithPassword()} from ${fake.ipv4()}` } }],
    });
    const run = await maskEveryWay('application/json', JSON.stringify(trace));
    const out = JSON.parse(run.output) as typeof trace;
    expectAbsent(run.output, [
      fake.email(),
      fake.phone(),
      fake.card(),
      fake.ssn(),
      pem.split('\n')[1] ?? pem,
      fake.githubToken(),
      fake.openAiKey(),
      'S3cr3t-Pa55',
      fake.ipv4(),
    ]);
    expect(out.trace.userId).toMatch(/^\[USER:[0-9a-f]{12}\]$/);
    const maskedMessages = JSON.parse(out.observations[0]?.input ?? '[]') as { content: string }[];
    expect(maskedMessages.at(-2)?.content).toMatch(
      /^I'm \[EMAIL:[0-9a-f]{12}\], call \[PHONE:[0-9a-f]{12}\]; card \*{4} \*{4} \*{4} 1111, SSN \[US_SSN\]$/,
    );
    expect(JSON.parse(maskedMessages.at(-1)?.content ?? '{}')).toEqual({
      deploy_key: '[PRIVATE_KEY]',
      token: '[GITHUB_TOKEN]',
    });
    expect(out.observations[0]?.modelParameters).toEqual({ api_key: '[API_KEY]', temperature: 1 });
    expect(run.counts).toMatchObject({
      USER: 1,
      EMAIL: 1,
      PHONE: 1,
      CREDIT_CARD: 1,
      US_SSN: 1,
      PRIVATE_KEY: 1,
      GITHUB_TOKEN: 1,
      API_KEY: 1,
      URL_CREDENTIALS: 1,
      IPV4: 1,
    });
  });
});

describe('langfuse-openai-agents.trace.json', () => {
  type Observation = { id: string; input: string; output: string; metadata: string };
  type Trace = { trace: { id: string }; observations: Observation[] };

  it('as exported: nothing in it is masked, so it passes byte for byte', async () => {
    const input = JSON.stringify(agentsTrace);
    const run = await maskEveryWay('application/json', input);
    expect(run.output).toBe(input);
    expect(run.counts).toEqual({});
  });

  it('planted values in the Responses API objects, three JSON layers deep, are found', async () => {
    const trace = clone(agentsTrace) as unknown as Trace;
    const generation = trace.observations[2];
    if (generation === undefined) throw new Error('fixture changed');
    const items = JSON.parse(generation.input) as Record<string, unknown>[];
    items.push({ role: 'user', content: `wire to ${fake.iban()}, key ${fake.anthropicKey()}` });
    generation.input = JSON.stringify(items);
    const metadata = JSON.parse(generation.metadata) as { attributes: Record<string, string> };
    const value = JSON.parse(metadata.attributes['output.value'] ?? '{}') as Record<
      string,
      unknown
    >;
    value.instructions = `You are a helpful agent. Escalate to ${fake.email()} with ${fake.slackWebhook()}`;
    metadata.attributes['output.value'] = JSON.stringify(value);
    generation.metadata = JSON.stringify(metadata);
    const run = await maskEveryWay('application/json', JSON.stringify(trace));
    expectAbsent(run.output, [fake.iban(), fake.anthropicKey(), fake.email(), fake.slackWebhook()]);
    const out = JSON.parse(run.output) as Trace;
    const outValue = JSON.parse(
      (JSON.parse(out.observations[2]?.metadata ?? '{}') as typeof metadata).attributes[
        'output.value'
      ] ?? '{}',
    ) as Record<string, string>;
    expect(outValue.instructions).toMatch(
      /^You are a helpful agent\. Escalate to \[EMAIL:[0-9a-f]{12}\] with \[SLACK_TOKEN\]$/,
    );
    expect(out.observations.map((o) => o.id)).toEqual(trace.observations.map((o) => o.id));
    expect(run.counts).toEqual({ IBAN: 1, ANTHROPIC_KEY: 1, EMAIL: 1, SLACK_TOKEN: 1 });
  });
});

describe('otel-genai-span-tool-calls.json', () => {
  it('planted values in gen_ai message attributes (JSON strings) are found; ids stay', async () => {
    const span = clone(genAiSpan) as Record<string, unknown>;
    const messages = JSON.parse(span['gen_ai.input.messages'] as string) as {
      parts: { type: string; content?: string }[];
    }[];
    messages[0]?.parts.push({
      type: 'text',
      content: `my SSN is ${fake.ssn()} and mail ${fake.email()}`,
    });
    span['gen_ai.input.messages'] = JSON.stringify(messages);
    const run = await maskEveryWay('application/json', JSON.stringify(span, null, 2));
    expectAbsent(run.output, [fake.ssn(), fake.email()]);
    const out = JSON.parse(run.output) as Record<string, unknown>;
    expect(out['gen_ai.response.id']).toBe(span['gen_ai.response.id']);
    expect(out.input).toBe(span.input);
    expect(run.counts).toEqual({ US_SSN: 1, EMAIL: 1 });
  });
});

describe('otlp-example-trace.json', () => {
  it('as published: uppercase hex ids and nanosecond timestamps pass byte for byte, allow-listed or not', async () => {
    expect((await maskEveryWay('application/json', otlpText)).output).toBe(otlpText);
    const bare = maskingProfileSchema.parse({});
    expect((await maskText(bare, 'application/json', otlpText)).output).toBe(otlpText);
  });

  it('planted attributes (stringValue) are found', async () => {
    const doc = JSON.parse(otlpText) as {
      resourceSpans: { scopeSpans: { spans: { attributes: unknown[] }[] }[] }[];
    };
    const attributes = doc.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
    attributes?.push(
      { key: 'enduser.email', value: { stringValue: fake.email() } },
      { key: 'http.request.header.authorization', value: { stringValue: `Bearer ${jwt}` } },
      { key: 'client.address', value: { stringValue: fake.ipv6() } },
      {
        key: 'llm.input',
        value: { stringValue: JSON.stringify({ prompt: `key ${fake.awsAccessKey()}` }) },
      },
    );
    const run = await maskEveryWay('application/json', JSON.stringify(doc, null, 2));
    expectAbsent(run.output, [fake.email(), jwt, fake.ipv6(), fake.awsAccessKey()]);
    expect(run.output).toContain('"traceId": "5B8EFFF798038103D269B633813FC60C"');
    expect(run.counts).toEqual({ EMAIL: 1, BEARER_TOKEN: 1, IPV6: 1, AWS_ACCESS_KEY: 1 });
  });
});

describe('anthropic-thinking-streaming.cassette.json (SSE body)', () => {
  const body = (anthropicCassette as { body: string }).body;
  const contentType =
    (anthropicCassette as { headers: Record<string, string> }).headers['content-type'] ?? '';

  it('as recorded: the stream passes byte for byte; the base64 signature is not mistaken for anything', async () => {
    expect((await maskEveryWay(contentType, body)).output).toBe(body);
    const bare = maskingProfileSchema.parse({});
    expect((await maskText(bare, contentType, body)).output).toBe(body);
  });

  it('planted values in thinking and text deltas are found; other events are untouched', async () => {
    const planted = body
      .replace(
        '"thinking":"27"',
        `"thinking":"27 for ${fake.email()} using ${fake.awsAccessKey()}"`,
      )
      .replace('"text":" × 400**', `"text":" × 400** card ${fake.card()}`);
    const run = await maskEveryWay(contentType, planted);
    expectAbsent(run.output, [fake.email(), fake.awsAccessKey(), fake.card()]);
    expect(run.counts).toEqual({ EMAIL: 1, AWS_ACCESS_KEY: 1, CREDIT_CARD: 1 });
    const unchangedEvents = (text: string) =>
      text.split('\n\n').filter((e) => !e.includes('"thinking":"27') && !e.includes(' × 400**'));
    expect(unchangedEvents(run.output)).toEqual(unchangedEvents(planted));
  });
});

describe('openai-responses-reasoning.cassette.yaml (as plain text)', () => {
  it('the recorded credential and cookie are masked, nothing else changes', async () => {
    const run = await maskEveryWay('application/x-yaml', cassetteYaml);
    expect(run.counts).toEqual({ BEARER_TOKEN: 1, CF_COOKIE: 1 });
    expect(run.output).toContain('- Bearer [BEARER_TOKEN]\n');
    expect(run.output).toContain('- [CF_COOKIE];\n');
    const changed = run.output
      .split('\n')
      .filter((line, i) => line !== cassetteYaml.split('\n')[i]);
    expect(changed).toEqual(['      - Bearer [BEARER_TOKEN]', '      - [CF_COOKIE];']);
  });

  it('a planted address in the request body is found', async () => {
    const planted = cassetteYaml.replace(
      'Write a bash script',
      `Write, for ${fake.email()}, a bash script`,
    );
    const run = await maskEveryWay('text/yaml', planted);
    expectAbsent(run.output, [fake.email()]);
    expect(run.counts).toMatchObject({ EMAIL: 1 });
  });
});
