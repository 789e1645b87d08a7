// The real public trace samples the origin shim serves, read once at startup
// from /work/shared/traces (see SOURCES.md there). Langfuse exports are served
// byte for byte; the GenAI attribute map is wrapped into an OTLP/JSON export
// (resourceSpans → scopeSpans → spans) since the file itself is a bare span.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultTracesDir } from '../paths.ts';

export interface LangfuseFixture {
  id: string;
  /** The export file, byte for byte: `{ trace, observations }`. */
  body: Buffer;
  observations: unknown[];
}

export interface TraceFixtures {
  /** Langfuse traces by trace id and by friendly alias. */
  langfuse: Map<string, LangfuseFixture>;
  /** OTLP/JSON documents by lowercase trace id and by alias. */
  otlp: Map<string, Buffer>;
  /** Anthropic SSE stream bodies by message id and by alias, split per event. */
  sse: Map<string, string[]>;
  ids: OriginTraceIds;
}

export interface OriginTraceIds {
  /** Langfuse: LangGraph.js ReAct agent, weather in San Francisco (alias `langgraph-weather`). */
  langgraphWeather: string;
  /** Langfuse: OpenAI Agents SDK hello world (alias `openai-agents-hello`). */
  openaiAgentsHello: string;
  /** OTLP/JSON: the canonical opentelemetry-proto example (alias `otlp-example`). */
  otlpExample: string;
  /** OTLP/JSON: one GenAI client span with tool calls (alias `genai-tool-calls`). */
  genaiToolCalls: string;
  /** SSE: Anthropic extended-thinking stream, by message id (alias `anthropic-thinking`). */
  anthropicThinking: string;
}

export const traceAliases = {
  langgraphWeather: 'langgraph-weather',
  openaiAgentsHello: 'openai-agents-hello',
  otlpExample: 'otlp-example',
  genaiToolCalls: 'genai-tool-calls',
  anthropicThinking: 'anthropic-thinking',
} as const satisfies Record<keyof OriginTraceIds, string>;

/** The ids of the default samples, for tests and the banner. */
export const originTraceIds: OriginTraceIds = loadTraceFixtures().ids;

export function loadTraceFixtures(tracesDir: string = defaultTracesDir): TraceFixtures {
  const read = (name: string): Buffer => readFileSync(path.join(tracesDir, name));

  const langgraph = parseLangfuseExport(read('langfuse-langgraph-js.trace.json'));
  const agents = parseLangfuseExport(read('langfuse-openai-agents.trace.json'));
  const otlpExample = read('otlp-example-trace.json');
  const otlpExampleId = firstOtlpTraceId(otlpExample);
  const genaiFile = read('otel-genai-span-tool-calls.json');
  const genaiId = createHash('sha256').update(genaiFile).digest('hex').slice(0, 32);
  const genai = Buffer.from(JSON.stringify(wrapGenAiSpan(genaiFile, genaiId), null, 2));
  const cassette = parseSseCassette(read('anthropic-thinking-streaming.cassette.json'));

  const ids: OriginTraceIds = {
    langgraphWeather: langgraph.id,
    openaiAgentsHello: agents.id,
    otlpExample: otlpExampleId,
    genaiToolCalls: genaiId,
    anthropicThinking: cassette.messageId,
  };
  return {
    langfuse: new Map([
      [langgraph.id, langgraph],
      [traceAliases.langgraphWeather, langgraph],
      [agents.id, agents],
      [traceAliases.openaiAgentsHello, agents],
    ]),
    otlp: new Map([
      [otlpExampleId.toLowerCase(), otlpExample],
      [traceAliases.otlpExample, otlpExample],
      [genaiId, genai],
      [traceAliases.genaiToolCalls, genai],
    ]),
    sse: new Map([
      [cassette.messageId, cassette.events],
      [traceAliases.anthropicThinking, cassette.events],
    ]),
    ids,
  };
}

function parseLangfuseExport(body: Buffer): LangfuseFixture {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  const id = pick(pick(parsed, 'trace'), 'id');
  const observations = pick(parsed, 'observations');
  if (typeof id !== 'string' || !Array.isArray(observations)) {
    throw new TypeError('Langfuse export must have trace.id (string) and observations (array)');
  }
  return { id, body, observations };
}

function firstOtlpTraceId(body: Buffer): string {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  const span = first(
    pick(first(pick(first(pick(parsed, 'resourceSpans')), 'scopeSpans')), 'spans'),
  );
  const traceId = pick(span, 'traceId');
  if (typeof traceId !== 'string') throw new TypeError('OTLP example has no span traceId');
  return traceId;
}

/** Turns the flat `gen_ai.*` attribute map into an OTLP/JSON export with one CLIENT span. */
function wrapGenAiSpan(body: Buffer, traceId: string): unknown {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object')
    throw new TypeError('GenAI span is not an object');
  const attributes = Object.entries(parsed).map(([key, value]) => ({
    key,
    value: anyValue(value),
  }));
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'weather-agent' } }],
        },
        scopeSpans: [
          {
            scope: { name: 'openinference-genai', version: '0.1.0' },
            spans: [
              {
                traceId,
                spanId: traceId.slice(0, 16),
                name: 'chat gpt-4',
                kind: 3,
                startTimeUnixNano: '1760950800000000000',
                endTimeUnixNano: '1760950801250000000',
                attributes,
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** OTLP/JSON AnyValue (proto3 JSON mapping: int64 as a decimal string). */
function anyValue(value: unknown): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: JSON.stringify(value) };
}

/** Splits the recorded SSE body into events, each keeping its trailing blank line. */
function parseSseCassette(body: Buffer): { messageId: string; events: string[] } {
  const cassette: unknown = JSON.parse(body.toString('utf8'));
  const stream = pick(cassette, 'body');
  if (typeof stream !== 'string') throw new TypeError('SSE cassette has no string body');
  const events = stream.split(/(?<=\n\n)/);
  const messageId = /"id":"(msg_[A-Za-z0-9]+)"/.exec(stream)?.[1];
  if (messageId === undefined) throw new TypeError('SSE cassette has no message id');
  return { messageId, events };
}

function pick(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}
