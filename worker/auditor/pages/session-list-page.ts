// The markup of the session list (GET /audit/sessions): a filter form and a
// table of sessions, newest first, each linking to its replay page. Pure:
// the route supplies the page of sessions. Every value is escaped by `html`.
import { html } from 'hono/html';
import type { Html } from '../../review/pages/html-page.ts';
import type { SessionSummary } from '../session-index.ts';

export interface SessionListInput {
  sessions: SessionSummary[];
  filters: { from: string; to: string; namespace: string; actor: string };
  /** Query string of the next page, or null on the last page. */
  nextQuery: string | null;
}

function recordingBadge(session: SessionSummary): Html {
  if (session.recordingKey === null) return html`<span class="badge missing">missing</span>`;
  const truncated = session.reason?.includes('recording truncated') ?? false;
  const failed = session.reason?.includes('recording failed') ?? false;
  const state = failed ? 'failed' : truncated ? 'truncated' : 'complete';
  return html`<span class="badge ${state}">${state}</span>`;
}

export function sessionListBody(input: SessionListInput): Html {
  const { filters } = input;
  return html`<h1>Recorded sessions</h1>
    <section class="card">
      <form class="filters" method="get" action="/audit/sessions">
        <label
          >From <input name="from" value="${filters.from}" placeholder="2026-11-01T00:00:00Z"
        /></label>
        <label
          >To <input name="to" value="${filters.to}" placeholder="2026-12-01T00:00:00Z"
        /></label>
        <label>Namespace <input name="namespace" value="${filters.namespace}" /></label>
        <label
          >Actor <input name="actor" value="${filters.actor}" placeholder="subject or email"
        /></label>
        <button type="submit">Filter</button>
      </form>
    </section>
    <section class="card">
      ${
        input.sessions.length === 0
          ? html`<p class="muted">No recorded sessions match.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Time (UTC)</th>
                  <th>Actor</th>
                  <th>Namespace</th>
                  <th>Request</th>
                  <th>Status</th>
                  <th>Bytes</th>
                  <th>Recording</th>
                </tr>
              </thead>
              <tbody>
                ${input.sessions.map(
                  (s) =>
                    html`<tr>
                      <td><a href="/audit/sessions/${s.sessionId}">${s.time}</a></td>
                      <td>${s.actor.email ?? s.actor.subject ?? ''}</td>
                      <td><code>${s.namespace ?? ''}</code></td>
                      <td><code>${s.method ?? ''} ${s.path ?? ''}</code></td>
                      <td>
                        ${s.status ?? ''} <span class="badge ${s.outcome}">${s.outcome}</span>
                      </td>
                      <td>${s.bytes ?? ''}</td>
                      <td>${recordingBadge(s)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${input.nextQuery === null ? '' : html`<p><a href="/audit/sessions?${input.nextQuery}">Older sessions →</a></p>`}
    </section>`;
}
