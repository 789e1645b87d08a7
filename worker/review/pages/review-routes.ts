// The review pages.
//
//   GET  /review                  index: who is signed in
//   GET  /review/{id}             the request; never changes state
//   POST /review/{id}/decision    approve or deny, with a CSRF token
//
// GET is safe (RFC 9110 §9.2.1) because mail scanners and chat unfurlers
// fetch links: without a session it shows a sign-in invitation and touches no
// Durable Object; with one it only reads the request's view. The POST runs
// its checks cheapest first and before any state is touched: same origin,
// session, a sign-in recent enough to trust its groups, CSRF token bound to
// (session, request), the form, then the Durable Object's own reviewer checks
// (group, not the requester, once per person, still pending).
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Actor } from '../../../durable-objects/access-request-contract.ts';
import type { AppEnv } from '../../app.ts';
import { DEFAULT_SIGN_IN_MAX_AGE_SECONDS } from '../../config/schema.ts';
import { GatewayError } from '../../http/errors.ts';
import { createCsrfToken, verifyCsrfToken } from '../../session/csrf-token.ts';
import { publicOrigin } from '../../session/public-origin.ts';
import {
  readReviewSession,
  signedInWithin,
  type ReviewSession,
} from '../../session/review-session.ts';
import { sessionKeys, type SessionKeys } from '../../session/session-keys.ts';
import { logoutToken } from '../login/login-routes.ts';
import { signInHref } from '../login/return-path.ts';
import { decisionFormMessage, parseDecisionForm } from './decision-form.ts';
import { readFormBody } from './form-body.ts';
import { formatDuration, grantDurationChoices, isOfferedGrantDuration } from './grant-durations.ts';
import { htmlPage } from './html-page.ts';
import { errorPage, indexPage, signInPage } from './message-pages.ts';
import { grantCapSeconds, type ReviewDeps } from './review-deps.ts';
import { reviewPageBody } from './review-page.ts';
import { checkSameOrigin } from './same-origin.ts';
import { viewerRole } from './viewer-role.ts';

/** A Durable Object id string; anything else is a 404 without touching a binding. */
const REQUEST_ID = /^[0-9a-f]{64}$/;

export function registerReviewRoutes(app: Hono<AppEnv>, deps: ReviewDeps): void {
  const loginHref = (returnTo: string): string | undefined =>
    deps.login === undefined ? undefined : signInHref(returnTo);
  const decisionMaxAge =
    deps.login?.settings.signInMaxAgeSeconds ?? DEFAULT_SIGN_IN_MAX_AGE_SECONDS;

  /** The keys and the signed-in reviewer, if any; a bad cookie counts as none (and is logged). */
  const sessionOf = async (
    c: Context<AppEnv>,
  ): Promise<{ keys: SessionKeys; session: ReviewSession | undefined; origin: string }> => {
    const keys = await sessionKeys(c.env);
    const origin = publicOrigin(c.env, c.req.url);
    const result = await readReviewSession(c, keys, { now: deps.now(), secure: origin.secure });
    if (!result.ok && result.reason !== 'absent') {
      console.warn(`[${c.get('requestId')}] review session refused: ${result.reason}`);
    }
    return { keys, session: result.ok ? result.value : undefined, origin: origin.origin };
  };

  app.get('/', async (c) => {
    const { keys, session } = await sessionOf(c);
    if (session === undefined) {
      const href = loginHref('/review');
      return indexPage(
        undefined,
        href === undefined ? '' : html`<a class="button primary" href="${href}">Sign in</a>`,
      );
    }
    return indexPage(
      session.principal.email ?? session.principal.subject,
      html`<form method="post" action="/review/logout">
        <input type="hidden" name="csrf" value="${await logoutToken(keys.csrf, session.sid)}" />
        <button type="submit" class="primary">Sign out</button>
      </form>`,
    );
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!REQUEST_ID.test(id)) return notFound(c);
    const { keys, session } = await sessionOf(c);
    if (session === undefined) return signInPage(loginHref(`/review/${id}`));

    const request = await deps.accessRequests(c.env).view(id);
    if (request === undefined) return notFound(c);
    const role = viewerRole(session.principal, request, deps.config.gateway.auditorGroups);
    if (role.kind === 'outsider') {
      return errorPage('not_a_reviewer', { requestId: c.get('requestId') });
    }
    const now = deps.now();
    return htmlPage({
      title: `Access request to ${request.namespace}`,
      body: reviewPageBody({
        request,
        viewer: session.principal,
        role,
        csrfToken: await createCsrfToken(keys.csrf, session.sid, id),
        logoutToken: await logoutToken(keys.csrf, session.sid),
        grantChoices: grantDurationChoices(
          grantCapSeconds(deps.config, request.namespace, request.ruleId),
        ),
        now,
        signInAgain: signedInWithin(session, now, decisionMaxAge)
          ? undefined
          : { href: loginHref(`/review/${id}`), maxAge: formatDuration(decisionMaxAge) },
      }),
    });
  });

  app.post('/:id/decision', async (c) => {
    const id = c.req.param('id');
    const requestId = c.get('requestId');
    const page = `/review/${id}`;
    const back = { href: page, label: 'Back to the request' };
    const origin = publicOrigin(c.env, c.req.url);
    const sameOrigin = checkSameOrigin(c.req.raw.headers, origin.origin);
    if (!sameOrigin.ok) {
      console.warn(`[${requestId}] decision refused: ${sameOrigin.reason}`);
      return errorPage('csrf_failed', { requestId });
    }
    if (!REQUEST_ID.test(id)) return notFound(c);
    const { keys, session } = await sessionOf(c);
    if (session === undefined) {
      const href = loginHref(page);
      return errorPage('unauthenticated', {
        detail: 'Sign in to decide this request. Nothing was changed.',
        requestId,
        ...(href === undefined ? {} : { link: { href, label: 'Sign in' } }),
      });
    }
    if (!signedInWithin(session, deps.now(), decisionMaxAge)) {
      const href = loginHref(page);
      console.warn(`[${requestId}] decision refused: sign-in older than ${decisionMaxAge} s`);
      return errorPage('unauthenticated', {
        detail: `Deciding needs a sign-in from the last ${formatDuration(decisionMaxAge)}, so that your groups are current. Sign in again; nothing was changed.`,
        requestId,
        ...(href === undefined ? {} : { link: { href, label: 'Sign in again' } }),
      });
    }
    const form = await readFormBody(c.req.raw);
    if (!(await verifyCsrfToken(keys.csrf, session.sid, id, form?.['csrf']))) {
      console.warn(`[${requestId}] decision refused: CSRF token missing or wrong`);
      return errorPage('csrf_failed', { requestId, link: back });
    }
    // The token proved a form of ours was posted, so `form` is defined here.
    const fields = form ?? {};

    const requests = deps.accessRequests(c.env);
    const request = await requests.view(id);
    if (request === undefined) return notFound(c);
    const cap = grantCapSeconds(deps.config, request.namespace, request.ruleId);
    const parsed = parseDecisionForm(fields, (seconds) => isOfferedGrantDuration(seconds, cap));
    if (!parsed.ok) {
      return errorPage('bad_request', {
        detail: decisionFormMessage(parsed.reason),
        requestId,
        link: back,
      });
    }
    const decision = parsed.decision;
    const reviewer: Actor = {
      issuer: session.principal.issuer,
      subject: session.principal.subject,
      email: session.principal.email,
      groups: session.principal.groups,
    };
    const result = await requests.decide(id, reviewer, decision.action, {
      reason: decision.reason,
      grantTtlSeconds: decision.action === 'approve' ? decision.grantSeconds : null,
      requestId,
    });
    if (result === undefined) return notFound(c);
    if (!result.ok) {
      console.warn(`[${requestId}] decision on ${id} refused: ${result.reason}`);
      switch (result.reason) {
        case 'not_pending':
          return errorPage('review_conflict', {
            detail: `This request is already ${result.view.status}; nothing was changed.`,
            requestId,
            link: back,
          });
        case 'already_decided_by_reviewer':
          return errorPage('review_conflict', {
            detail: 'You have already decided this request; each reviewer counts once.',
            requestId,
            link: back,
          });
        case 'reason_required':
          return errorPage('bad_request', {
            detail: decisionFormMessage('reason_required'),
            requestId,
            link: back,
          });
        case 'self_approval':
          return errorPage('self_approval', { requestId, link: back });
        case 'not_a_reviewer':
          return errorPage('not_a_reviewer', { requestId, link: back });
      }
    }
    return c.redirect(page, 303);
  });
}

function notFound(c: Context<AppEnv>): Promise<Response> {
  return errorPage('not_found', {
    detail: 'There is no access request at this address.',
    requestId: c.get('requestId'),
  });
}

/** The review app's error renderer: the same codes and statuses as the API, as a page. */
export function reviewErrorResponse(error: unknown, requestId: string): Promise<Response> {
  const gatewayError =
    error instanceof GatewayError ? error : new GatewayError('internal_error', { cause: error });
  return errorPage(gatewayError.code, {
    ...(gatewayError.publicDetail === undefined ? {} : { detail: gatewayError.publicDetail }),
    requestId,
  });
}
