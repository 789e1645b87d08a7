// The markup of one access request's page, for a signed-in viewer. Pure: the
// route supplies the request, the viewer's role, the CSRF token and the grant
// choices; this file only lays them out. Every value is escaped by `html`.
import { html } from 'hono/html';
import type { AccessRequestView, Actor } from '../../../durable-objects/access-request-contract.ts';
import type { SessionPrincipal } from '../../session/review-session.ts';
import { formatDuration, type GrantDurationChoice } from './grant-durations.ts';
import type { Html } from './html-page.ts';
import { MAX_REASON_LENGTH } from './decision-form.ts';
import type { ViewerRole } from './viewer-role.ts';

export interface ReviewPageInput {
  request: AccessRequestView;
  viewer: SessionPrincipal;
  role: Exclude<ViewerRole, { kind: 'outsider' }>;
  csrfToken: string;
  logoutToken: string;
  grantChoices: GrantDurationChoice[];
  now: number;
  /** Set when the sign-in is too old to decide: where to sign in again, and the limit. */
  signInAgain?: { href: string | undefined; maxAge: string };
}

export function reviewPageBody(input: ReviewPageInput): Html {
  const { request, now } = input;
  const approvals = request.decisions.filter((d) => d.decision === 'approve').length;
  return html`<h1>Access request to <code>${request.namespace}</code></h1>
    ${summary(request, now)} ${statusNotice(input)}
    <section class="card" aria-labelledby="who">
      <h2 id="who">Who asks</h2>
      ${actorList(request.requester)}
    </section>
    <section class="card" aria-labelledby="what">
      <h2 id="what">For what</h2>
      <dl>
        <dt>Namespace</dt>
        <dd><code>${request.namespace}</code></dd>
        <dt>Request</dt>
        <dd><code>${request.method} ${request.path}</code></dd>
        <dt>Resource</dt>
        <dd>
          ${request.resourceId === null ? html`<span class="muted">none</span>` : html`<code>${request.resourceId}</code>`}
        </dd>
        <dt>Rule</dt>
        <dd><code>${request.ruleId}</code></dd>
      </dl>
    </section>
    <section class="card" aria-labelledby="why">
      <h2 id="why">Why</h2>
      ${
        request.justification === null || request.justification === ''
          ? html`<p class="muted">No justification given.</p>`
          : html`<p class="justification" dir="auto">${request.justification}</p>`
      }
    </section>
    <section class="card" aria-labelledby="state">
      <h2 id="state">Status</h2>
      <dl>
        <dt>Status</dt>
        <dd><span class="badge ${request.status}">${request.status}</span></dd>
        <dt>Approvals</dt>
        <dd>${approvals} of ${request.approvalsRequired} needed</dd>
        <dt>Reviewers</dt>
        <dd>${request.reviewerGroups.join(', ')}</dd>
        <dt>Requested</dt>
        <dd>${timeText(request.createdAt, now)}</dd>
        ${
          request.status === 'pending'
            ? html`<dt>Expires</dt>
                <dd>${timeText(request.expiresAt, now)}</dd>`
            : ''
        }
        ${
          request.grant === null
            ? ''
            : html`<dt>Granted until</dt>
                <dd>${timeText(request.grant.expiresAt, now)} (scope: ${request.grant.scope})</dd>`
        }
        ${
          request.denyReason === null
            ? ''
            : html`<dt>Deny reason</dt>
                <dd dir="auto">${request.denyReason}</dd>`
        }
      </dl>
      ${decisionList(request)}
    </section>
    ${input.role.kind === 'reviewer' && input.role.canDecide ? decisionSection(input) : ''}
    <footer>
      <span>Signed in as <strong>${input.viewer.email ?? input.viewer.subject}</strong></span>
      <form method="post" action="/review/logout">
        <input type="hidden" name="csrf" value="${input.logoutToken}" />
        <button type="submit" class="link">Sign out</button>
      </form>
    </footer>`;
}

/** One line a reviewer can decide from on a phone: who, what, the state and the deadline. */
function summary(request: AccessRequestView, now: number): Html {
  const who = request.requester.email ?? request.requester.subject;
  const what =
    request.resourceId === null
      ? html`<code>${request.method} ${request.path}</code>`
      : html`trace <code>${request.resourceId}</code>`;
  const deadline =
    request.status === 'pending' ? html` · expires ${relativeTime(request.expiresAt, now)}` : '';
  return html`<p class="lead">
    <strong>${who}</strong> asks to read ${what}.
    <span class="badge ${request.status}">${request.status}</span>${deadline}
  </p>`;
}

function statusNotice(input: ReviewPageInput): Html | string {
  const { request, role } = input;
  if (role.kind === 'requester') {
    return html`<p class="notice">
      This is your own request. Someone else in ${request.reviewerGroups.join(', ')} must review it;
      you cannot approve it yourself.
    </p>`;
  }
  if (role.kind === 'auditor') {
    return html`<p class="notice">
      You are viewing this request as an auditor; you cannot decide it.
    </p>`;
  }
  if (role.ownDecision !== undefined) {
    const verb = role.ownDecision === 'approve' ? 'approved' : 'denied';
    return html`<p class="notice ok">
      You ${verb} this
      request.${request.status === 'pending' ? ' It is waiting for more approvals.' : ''}
    </p>`;
  }
  if (request.status !== 'pending') {
    return html`<p class="notice error">
      This request is ${request.status}; it can no longer be decided.
    </p>`;
  }
  return '';
}

function actorList(actor: Actor): Html {
  return html`<dl>
    <dt>Email</dt>
    <dd>${actor.email ?? html`<span class="muted">not given</span>`}</dd>
    <dt>Subject</dt>
    <dd><code>${actor.subject}</code></dd>
    <dt>Issuer</dt>
    <dd><code>${actor.issuer}</code></dd>
    <dt>Groups</dt>
    <dd>
      ${actor.groups.length === 0 ? html`<span class="muted">none</span>` : actor.groups.join(', ')}
    </dd>
  </dl>`;
}

function decisionList(request: AccessRequestView): Html | string {
  if (request.decisions.length === 0) return '';
  return html`<h2>Decisions</h2>
    <ul class="decisions">
      ${request.decisions.map(
        (d) =>
          html`<li>
            ${d.decision === 'approve' ? 'Approved' : 'Denied'} by
            ${d.reviewer.email ?? d.reviewer.subject}${
              d.reason === null ? '' : html`: “<bdi>${d.reason}</bdi>”`
            }
          </li>`,
      )}
    </ul>`;
}

/** The forms, or, when the sign-in is too old to decide, a way to sign in again. */
function decisionSection(input: ReviewPageInput): Html {
  const again = input.signInAgain;
  if (again === undefined) return decisionForms(input);
  return html`<section class="card" aria-labelledby="decide">
    <h2 id="decide">Your decision</h2>
    <p class="notice">
      Deciding needs a sign-in from the last ${again.maxAge}, so that your groups are current.
    </p>
    ${
      again.href === undefined
        ? ''
        : html`<div class="actions">
            <a class="button primary" href="${again.href}">Sign in again</a>
          </div>`
    }
  </section>`;
}

function decisionForms(input: ReviewPageInput): Html {
  const action = `/review/${input.request.id}/decision`;
  return html`<section class="card" aria-labelledby="decide">
    <h2 id="decide">Your decision</h2>
    <div class="actions">
      <form method="post" action="${action}">
        <input type="hidden" name="csrf" value="${input.csrfToken}" />
        <input type="hidden" name="action" value="approve" />
        <label for="grantSeconds">Grant access for</label>
        <select id="grantSeconds" name="grantSeconds">
          ${input.grantChoices.map(
            (choice) =>
              html`<option value="${choice.seconds}" ${choice.selected ? html` selected` : ''}>
                ${choice.label}
              </option>`,
          )}
        </select>
        <button type="submit" class="approve">Approve</button>
      </form>
      <form method="post" action="${action}">
        <input type="hidden" name="csrf" value="${input.csrfToken}" />
        <input type="hidden" name="action" value="deny" />
        <label for="reason">Reason for denial</label>
        <textarea
          id="reason"
          name="reason"
          required
          maxlength="${MAX_REASON_LENGTH}"
          placeholder="The requester sees this reason"
        ></textarea>
        <button type="submit" class="deny">Deny</button>
      </form>
    </div>
  </section>`;
}

/** "2026-11-24 19:40 UTC (in 58 minutes)". Server-rendered: the pages run no script. */
export function timeText(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC (${relativeTime(at, now)})`;
}

/** "in 58 minutes", "3 minutes ago", "now". */
export function relativeTime(at: number, now: number): string {
  // To the minute: "in 14 minutes 59 seconds" is noise on a page read by a person.
  const delta = Math.round((at - now) / 60_000) * 60;
  if (delta === 0) return 'now';
  const relative = formatDuration(Math.abs(delta));
  return delta > 0 ? `in ${relative}` : `${relative} ago`;
}
