// The markup of one session's replay (GET /audit/sessions/{id}): summary,
// timeline of recorded events, the response head, and the body as the reader
// saw it, as text. Pure: the route supplies the detail and a prefix of the
// body. Every value is escaped by `html` (a recorded body containing markup
// shows as text, never as markup); bodies longer than the view limit are cut
// with a link to the raw, byte-for-byte replay.
import { html } from 'hono/html';
import type { Html } from '../../review/pages/html-page.ts';
import type { SessionManifest } from '../../recording/manifest.ts';
import type { SessionEvent } from '../../recording/session-events.ts';
import type { SessionSummary } from '../session-index.ts';
import type { RecordingState } from '../sessions-api.ts';

export interface ReplayInput {
  session: SessionSummary;
  recording: RecordingState;
  manifest: SessionManifest | null;
  events: SessionEvent[];
  /** The body's first bytes as text; null when there is no stored body or it is not text. */
  bodyText: string | null;
  bodyShownBytes: number;
  bodyTotalBytes: number | null;
}

const time = (at: number): string => new Date(at).toISOString();

function headerList(headers: Record<string, string>): Html {
  const entries = Object.entries(headers);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<dl>
    ${entries.map(
      ([name, value]) =>
        html`<dt><code>${name}</code></dt>
          <dd><code>${value}</code></dd>`,
    )}
  </dl>`;
}

function eventLine(event: SessionEvent): Html {
  switch (event.type) {
    case 'request':
      return html`<strong>Request</strong>
        <code>${event.method} ${event.path}${event.query}</code> by
        <code>${event.principal.email ?? event.principal.subject}</code>
        <span class="muted"
          >(${event.principal.issuer}, groups: ${event.principal.groups.join(', ')})</span
        >`;
    case 'decision':
      return html`<strong>Decision</strong> <code>${event.outcome}</code> by rule
        <code>${event.ruleId}</code>${
          event.mask === null ? '' : html`, masking profile <code>${event.mask}</code>`
        }`;
    case 'review':
      return html`<strong>Review</strong> <code>${event.action}</code> on request
        <code>${event.accessRequestId}</code>${
          event.actor === null
            ? ''
            : html` by <code>${event.actor.email ?? event.actor.subject}</code>`
        }${event.detail === null ? '' : html`: ${event.detail}`}`;
    case 'response':
      return html`<strong>Response</strong> status <code>${event.status}</code>,
        <code>${event.headers['content-type'] ?? 'no content type'}</code>`;
    case 'end':
      return html`<strong>End</strong> recording
        <span class="badge ${event.recording}">${event.recording}</span>, ${event.bytes}
        bytes${event.reason === null ? '' : html` <span class="muted">(${event.reason})</span>`}`;
    default:
      // An event type this version does not know (written by a newer gateway).
      return html`<strong>${String((event as { type: unknown }).type)}</strong>`;
  }
}

export function replayBody(input: ReplayInput): Html {
  const { session, manifest } = input;
  const rawLink = `/audit/sessions/${session.sessionId}/body`;
  const cut = input.bodyTotalBytes !== null && input.bodyShownBytes < input.bodyTotalBytes;
  return html`<h1>Session <code>${session.sessionId}</code></h1>
    ${input.recording === 'complete' ? '' : html`<p class="notice">Recording: <strong>${input.recording}</strong>${session.reason === null ? '' : html` — ${session.reason}`}</p>`}
    <section class="card">
      <h2>Summary</h2>
      <dl>
        <dt>Time (UTC)</dt>
        <dd>${session.time}</dd>
        <dt>Actor</dt>
        <dd>
          <code>${session.actor.subject ?? ''}</code> ${session.actor.email ?? ''}
          <span class="muted">${session.actor.issuer ?? ''}</span>
        </dd>
        <dt>Namespace</dt>
        <dd><code>${session.namespace ?? ''}</code></dd>
        <dt>Request</dt>
        <dd><code>${session.method ?? ''} ${session.path ?? ''}</code></dd>
        <dt>Outcome</dt>
        <dd>
          <span class="badge ${session.outcome}">${session.outcome}</span> status
          ${session.status ?? ''}
        </dd>
        <dt>Bytes served</dt>
        <dd>${session.bytes ?? ''}</dd>
        <dt>SHA-256</dt>
        <dd><code>${session.sha256 ?? 'none'}</code></dd>
        <dt>Recording</dt>
        <dd><span class="badge ${input.recording}">${input.recording}</span></dd>
      </dl>
    </section>
    <section class="card">
      <h2>Timeline</h2>
      ${
        input.events.length === 0
          ? html`<p class="muted">No recorded events.</p>`
          : html`<ol class="timeline">
              ${input.events.map((e) => html`<li><span class="muted">${time(e.at)}</span> ${eventLine(e)}</li>`)}
            </ol>`
      }
    </section>
    ${
      manifest === null
        ? ''
        : html`<section class="card">
            <h2>Response head</h2>
            <p>Status <code>${manifest.response.status}</code></p>
            ${headerList(manifest.response.headers)}
          </section>`
    }
    <section class="card">
      <h2>Response body, as the reader saw it</h2>
      ${
        input.bodyText === null
          ? html`<p class="muted">
              ${input.bodyTotalBytes === null ? 'No stored body.' : 'Not shown as text.'}
            </p>`
          : html`<pre class="body" id="body">${input.bodyText}</pre>`
      }
      ${cut ? html`<p class="notice">Showing the first ${input.bodyShownBytes} of ${input.bodyTotalBytes} bytes.</p>` : ''}
      ${input.bodyTotalBytes === null ? '' : html`<p><a href="${rawLink}">Raw replay (byte for byte)</a></p>`}
    </section>`;
}
