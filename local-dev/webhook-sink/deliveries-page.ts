// The sink's HTML page: deliveries newest first, each with the links found in
// its payload (the "Review" links reviewers click), the signature headers, and
// the body with every http(s) URL clickable. All text is escaped; only http(s)
// URLs become links.
import type { Delivery } from './delivery-log.ts';

const urlPattern = /https?:\/\/[^\s"'<>|\\`]+/g;
const shownHeaders = [
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

export function deliveriesPage(deliveries: Delivery[], options: { live: boolean }): string {
  const items = deliveries.map(deliveryHtml).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${options.live ? '<meta http-equiv="refresh" content="3">' : ''}
<title>Webhook sink (${deliveries.length})</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
article{border:1px solid #ccc;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
h2{font-size:1rem;margin:0 0 .5rem}.failed{border-color:#c33}.status{font-weight:600}
.links a{display:inline-block;margin:.2rem .5rem .2rem 0;padding:.3rem .8rem;border:1px solid #36c;border-radius:4px;text-decoration:none}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{font-size:.85rem;border-collapse:collapse}td{padding:0 .6rem 0 0;vertical-align:top}
</style></head><body>
<h1>Webhook sink</h1>
<p>${deliveries.length} deliveries (last 200 kept), newest first.
<a href="/">Refresh</a> · ${options.live ? '<a href="/">Stop auto-refresh</a>' : '<a href="/?live=1">Auto-refresh</a>'} · <a href="/api/deliveries">JSON</a></p>
${items || '<p>Nothing received yet. Webhooks go to <code>POST /hooks/&lt;name&gt;</code>.</p>'}
</body></html>`;
}

function deliveryHtml(delivery: Delivery): string {
  const body = delivery.json === undefined ? delivery.body : JSON.stringify(delivery.json, null, 2);
  const links = [...new Set(body.match(urlPattern) ?? [])];
  const headers = shownHeaders
    .filter((name) => delivery.headers[name] !== undefined)
    .map(
      (name) =>
        `<tr><td>${escapeHtml(name)}</td><td><code>${escapeHtml(delivery.headers[name] ?? '')}</code></td></tr>`,
    )
    .join('');
  return `<article class="${delivery.status >= 400 ? 'failed' : ''}">
<h2>#${delivery.id} <code>${escapeHtml(delivery.name)}</code> · ${escapeHtml(delivery.receivedAt)} · <span class="status">answered ${delivery.status}</span></h2>
${links.length > 0 ? `<div class="links">${links.map((url) => anchor(url, linkLabel(url))).join('')}</div>` : ''}
<table>${headers}</table>
<pre>${linkify(body)}</pre>
</article>`;
}

/** Escapes text and turns each http(s) URL in it into a link. */
export function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    html += escapeHtml(text.slice(last, match.index)) + anchor(match[0], match[0]);
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

function linkLabel(url: string): string {
  return /\/review\//.test(url) ? `Review ${url.replace(/^.*\/review\//, '')}` : url;
}

function anchor(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
