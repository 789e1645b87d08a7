// The timeline of a recorded session: what happened, when, in order.
//
// Events are collected in memory while the read is handled (they are few and
// small) and written once, as events.ndjson, when the recording ends. Steps
// before step 8 (policy, review) add theirs to the AuthorizedRead with
// `appendSessionEvent`; the recorder adds the request, the response head and
// the end. Values are descriptive only (ids, outcomes, names), never secrets:
// headers are allow-listed in request-snapshot.ts.
import { z } from 'zod';

const recordedActorSchema = z.object({
  issuer: z.string(),
  subject: z.string(),
  email: z.string().nullable(),
});

const headerMap = z.record(z.string(), z.string());

/** One timeline event (exported: the OpenAPI document is generated from it). */
export const sessionEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    at: z.number(),
    method: z.string(),
    path: z.string(),
    query: z
      .string()
      .meta({ description: 'The query string, with credential-like parameter values redacted.' }),
    headers: headerMap,
    principal: recordedActorSchema.extend({
      issuerId: z.string(),
      groups: z.array(z.string()),
      tokenId: z.string().nullable(),
    }),
  }),
  z.object({
    type: z.literal('decision'),
    at: z.number(),
    outcome: z.string(),
    ruleId: z.string(),
    mask: z.string().nullable(),
  }),
  z
    .object({
      type: z.literal('review'),
      at: z.number(),
      action: z.string(),
      accessRequestId: z.string(),
      actor: recordedActorSchema.nullable(),
      detail: z.string().nullable(),
    })
    .meta({
      description:
        'A review-flow event: created, reviewer_decision, approved, denied, expired, grant_used.',
    }),
  z.object({ type: z.literal('response'), at: z.number(), status: z.number(), headers: headerMap }),
  z.object({
    type: z.literal('end'),
    at: z.number(),
    recording: z.enum(['complete', 'truncated', 'failed']),
    bytes: z.number(),
    sha256: z.string().nullable(),
    reason: z.string().nullable(),
  }),
]);

export type RecordedActor = z.infer<typeof recordedActorSchema>;
export type SessionEvent = z.infer<typeof sessionEventSchema>;

/** Anything that carries a session timeline (an AuthorizedRead). */
export interface HasSessionEvents {
  sessionEvents?: SessionEvent[];
}

/** Adds an event to a read's timeline; the recorder writes it with the session. */
export function appendSessionEvent(read: HasSessionEvents, event: SessionEvent): void {
  if (read.sessionEvents === undefined) read.sessionEvents = [];
  read.sessionEvents.push(event);
}

/** The timeline as NDJSON, in time order (stable for equal times). */
export function eventsNdjson(events: readonly SessionEvent[]): string {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || a.index - b.index)
    .map(({ event }) => `${JSON.stringify(event)}\n`)
    .join('');
}

/** Parses events.ndjson; lines that are not JSON objects with a type and time are skipped. */
export function parseEventsNdjson(text: string): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof Reflect.get(value, 'type') === 'string' &&
        typeof Reflect.get(value, 'at') === 'number'
      ) {
        events.push(value as SessionEvent);
      }
    } catch {
      // A damaged line is left out of the view; the raw object stays in R2.
    }
  }
  return events;
}
