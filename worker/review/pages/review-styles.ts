// The review pages' only stylesheet: inline (allowed by a CSP nonce), no
// external fonts or images, readable on a phone. A constant, never built from input.

export const reviewStyles = `
:root{--fg:#1d2330;--muted:#5d6778;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;--accent:#2456c8;
--ok:#17794a;--ok-bg:#e5f5ec;--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4db}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.bar{background:#141a26;color:#fff;padding:.7rem 1rem;font-size:.95rem}
.brand{font-weight:700;letter-spacing:.02em}
.bar .muted{color:#aab3c5}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;line-height:1.3;margin:.6rem 0 1rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.1rem;margin:0 0 1rem}
.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.35rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f6;border-radius:4px;padding:.05em .3em;overflow-wrap:anywhere}
.justification{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8f9fb;border-left:3px solid var(--accent);padding:.6rem .8rem;margin:0;border-radius:0 6px 6px 0}
.muted{color:var(--muted)}
.badge{display:inline-block;border-radius:999px;padding:.1rem .65rem;font-size:.85rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.badge.pending{background:var(--warn-bg);color:var(--warn)}
.badge.approved{background:var(--ok-bg);color:var(--ok)}
.badge.denied,.badge.expired,.badge.cancelled{background:var(--bad-bg);color:var(--bad)}
.notice{border-radius:8px;padding:.7rem .9rem;margin:0 0 1rem;background:var(--warn-bg);color:#5c3d00}
.notice.error{background:var(--bad-bg);color:var(--bad)}
.notice.ok{background:var(--ok-bg);color:var(--ok)}
ul.decisions{margin:0;padding-left:1.1rem}
form{margin:0}
label{display:block;font-weight:600;margin:.2rem 0 .35rem}
select,textarea{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #b9c1cf;border-radius:6px;background:#fff;color:inherit}
textarea{min-height:5.5rem;resize:vertical}
.actions{display:grid;grid-template-columns:1fr;gap:1rem}
@media (min-width:40rem){.actions{grid-template-columns:1fr 1fr}}
.actions form{display:flex;flex-direction:column}
.actions select,.actions textarea{margin-bottom:.7rem}
.actions button{margin-top:auto}
button,.button{display:inline-block;width:100%;margin-top:.7rem;padding:.7rem 1rem;border:0;border-radius:6px;font:inherit;font-weight:600;cursor:pointer;text-align:center;text-decoration:none}
.approve{background:var(--ok);color:#fff}
.deny{background:var(--bad);color:#fff}
.primary{background:var(--accent);color:#fff}
.link{background:none;color:var(--accent);padding:0;width:auto;margin:0;font-weight:400;text-decoration:underline}
footer{margin-top:1.5rem;font-size:.9rem;color:var(--muted);display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
a{color:var(--accent)}
.lead{margin:-.4rem 0 1rem;font-size:1.02rem}
.lead .badge{margin-left:.2rem;vertical-align:.05em}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dt{font-size:.85rem;margin-top:.45rem}dt:first-child{margin-top:0}}
`;
