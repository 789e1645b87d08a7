// The shell of the auditor pages: the review pages' `shellPage` (no script
// at all, a nonce for the one stylesheet, no framing, no-store, no Referer,
// nosniff), so both UIs share one page shell and one policy.
// Markup is built with hono/html, which escapes every interpolated string.
import { html } from 'hono/html';
import { shellPage, type Html } from '../../review/pages/html-page.ts';

const auditorStyles = `
:root{--fg:#1d2330;--muted:#5d6778;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;--accent:#2456c8;
--ok:#17794a;--ok-bg:#e5f5ec;--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4db}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.bar{background:#141a26;color:#fff;padding:.7rem 1rem}
.bar a{color:#fff;text-decoration:none;font-weight:700}
.bar .muted{color:#aab3c5}
main{max-width:76rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.6rem 0 1rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.1rem;margin:0 0 1rem;overflow-x:auto}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
code,pre{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#eef1f6;border-radius:4px;padding:.05em .3em;overflow-wrap:anywhere}
pre.body{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8f9fb;border:1px solid var(--line);border-radius:6px;padding:.7rem;max-height:40rem;overflow:auto;margin:0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600}
.muted{color:var(--muted)}
.badge{display:inline-block;border-radius:999px;padding:.05rem .55rem;font-size:.8rem;font-weight:600;text-transform:uppercase}
.badge.complete,.badge.completed{background:var(--ok-bg);color:var(--ok)}
.badge.truncated,.badge.recording,.badge.missing{background:var(--warn-bg);color:var(--warn)}
.badge.failed,.badge.deleted{background:var(--bad-bg);color:var(--bad)}
.notice{border-radius:8px;padding:.6rem .9rem;margin:0 0 1rem;background:var(--warn-bg);color:#5c3d00}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
input{font:inherit;padding:.35rem .5rem;border:1px solid #b9c1cf;border-radius:6px}
button{font:inherit;padding:.4rem .9rem;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
ol.timeline{margin:0;padding-left:1.2rem}
ol.timeline li{margin:0 0 .5rem}
a{color:var(--accent)}
`;

export function auditorPage(options: {
  title: string;
  status?: number;
  body: Html;
}): Promise<Response> {
  return shellPage({
    ...options,
    site: 'Tracegate audit',
    styles: auditorStyles,
    header: html`<a href="/audit/sessions">Tracegate</a>
      <span class="muted">audit · recorded sessions</span>`,
  });
}
