// The timeline of a recorded session: what happened, when, in order.
//
// Events are collected in memory while the read is handled (they are few and
// small) and written once, as events.ndjson, when the recording ends. Steps
// before step 8 (policy, review) add theirs to the AuthorizedRead with
// `appendSessionEvent`; the recorder adds the request, the response head and
// the end. Values are descriptive only (ids, outcomes, names), never secrets:
// headers are allow-listed in request-snapshot.ts.

export interface RecordedActor {
  issuer: string;
  subject: string;
  email: string | null;
}

export type SessionEvent =
  | {
      type: 'request';
      at: number;
      method: string;
      path: string;
      /** The query string, with credential-like parameter values redacted. */
      query: string;
      headers: Record<string, string>;
      principal: RecordedActor & { issuerId: string; groups: string[]; tokenId: string | null };
    }
  | { type: 'decision'; at: number; outcome: string; ruleId: string; mask: string | null }
  | {
      /** A review-flow event: created, reviewer_decision, approved, denied, expired, grant_used. */
      type: 'review';
      at: number;
      action: string;
      accessRequestId: string;
      actor: RecordedActor | null;
      detail: string | null;
    }
  | { type: 'response'; at: number; status: number; headers: Record<string, string> }
  | {
      type: 'end';
      at: number;
      recording: 'complete' | 'truncated' | 'failed';
      bytes: number;
      sha256: string | null;
      reason: string | null;
    };

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
