// The shell every review page is served in: escaping, CSP, caching headers.
//
// Markup is built with hono/html's tagged template, which HTML-escapes every
// interpolated string (& < > " '); only values that are themselves `html`
// fragments pass through unescaped. Nothing user-controlled is ever given to
// `raw` (only the constant stylesheet, which the escaper would corrupt inside
// a <style> element).
//
// Headers: a CSP with no script at all (`default-src 'none'`), the one inline
// stylesheet allowed by a per-response nonce, forms posting only to this
// origin, no framing (clickjacking on an "Approve" button), no base-URI
// rewriting; `no-store` because pages show who asked for what; no Referer, so
// a review URL never leaks to another site; `nosniff`.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { encodeBase64Url } from '../../session/base64url.ts';
import { reviewStyles } from './review-styles.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageOptions {
  title: string;
  status?: number;
  body: Html;
}

export async function htmlPage(options: PageOptions): Promise<Response> {
  return shellPage({
    ...options,
    site: 'Tracegate',
    styles: reviewStyles,
    header: html`<span class="brand">Tracegate</span> <span class="muted">access review</span>`,
  });
}

/**
 * One page of the gateway's UIs (review and audit): the escaped title, the
 * constant stylesheet under a per-response nonce, a header bar, and the
 * headers of pageHeaders.
 */
export async function shellPage(
  options: PageOptions & { site: string; styles: string; header: Html },
): Promise<Response> {
  const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const document = await html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${options.title} · ${options.site}</title>
        <style nonce="${nonce}">
          ${raw(options.styles)}
        </style>
      </head>
      <body>
        <header class="bar">${options.header}</header>
        <main>${options.body}</main>
      </body>
    </html>`;
  return new Response(document.toString(), {
    status: options.status ?? 200,
    headers: pageHeaders(nonce),
  });
}

export function pageHeaders(styleNonce?: string): Headers {
  const styleSrc = styleNonce === undefined ? "'none'" : `'nonce-${styleNonce}'`;
  return new Headers({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${styleSrc}`,
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
}
