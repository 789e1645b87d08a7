// The review UI's short pages: an error rendered as HTML (a browser user
// should not get problem+json), the sign-in invitation a link scanner sees,
// and the index. Errors use the gateway's closed code list, so status and
// public text match the API's; the precise cause only goes to the log.
import { html } from 'hono/html';
import { describeError, type ErrorCode } from '../../http/errors.ts';
import { htmlPage, type Html } from './html-page.ts';

export interface PageLink {
  href: string;
  label: string;
}

export function errorPage(
  code: ErrorCode,
  options: { detail?: string; link?: PageLink; requestId?: string } = {},
): Promise<Response> {
  const shape = describeError(code);
  return htmlPage({
    title: shape.title,
    status: shape.status,
    body: html`<h1>${shape.title}</h1>
      <p class="notice error" data-code="${code}">${options.detail ?? shape.detail}</p>
      ${options.link === undefined ? '' : html`<p><a class="button primary" href="${options.link.href}">${options.link.label}</a></p>`}
      ${options.requestId === undefined ? '' : html`<p class="muted">Reference: <code>${options.requestId}</code></p>`}`,
  });
}

/**
 * What anyone without a session sees at a review link, including mail
 * scanners and chat unfurlers: an invitation to sign in, and nothing about the
 * request (not even whether it exists).
 */
export function signInPage(loginHref: string | undefined): Promise<Response> {
  return htmlPage({
    title: 'Sign in to review',
    body: html`<h1>An access request is waiting for review</h1>
      <section class="card">
        <p>
          Sign in to see who asks for which trace, and why. Nothing is decided by opening this link.
        </p>
        ${
          loginHref === undefined
            ? html`<p class="notice error">Reviewer sign-in is not configured on this gateway.</p>`
            : html`<a class="button primary" href="${loginHref}">Sign in to review</a>`
        }
      </section>`,
  });
}

export function indexPage(signedInAs: string | undefined, body: Html | string): Promise<Response> {
  return htmlPage({
    title: 'Access review',
    body: html`<h1>Access review</h1>
      <section class="card">
        ${signedInAs === undefined ? '' : html`<p>Signed in as <strong>${signedInAs}</strong>.</p>`}
        <p>Open a review link from a notification to see an access request.</p>
        ${body}
      </section>`,
  });
}
