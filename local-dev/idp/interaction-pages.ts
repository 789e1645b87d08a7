// HTML for the IdP's own login and consent pages (devInteractions is off):
// plain forms that work in a real browser and that get-token.ts fills in the
// same way. Every interpolated value is escaped.
import { testUsers } from './accounts.ts';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function loginPage(input: {
  uid: string;
  clientId: string;
  username?: string;
  error?: string;
}): string {
  const uid = encodeURIComponent(input.uid);
  const users = testUsers
    .map(
      (u) =>
        `<li><code>${escapeHtml(u.username)}</code> ${escapeHtml(u.groups.join(', ') || 'no groups')}</li>`,
    )
    .join('');
  return layout(
    'Sign in',
    `<h1>Sign in to Tracegate (development IdP)</h1>
<p>Application: <code>${escapeHtml(input.clientId)}</code></p>
${input.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(input.error)}</p>`}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label>Username <input name="username" value="${escapeHtml(input.username ?? '')}" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" class="secondary">Cancel</button></form>
<aside><p>Development users (password <code>tracegate</code>, dev only):</p><ul>${users}</ul></aside>`,
  );
}

export function consentPage(input: {
  uid: string;
  clientId: string;
  username: string;
  scopes: string[];
}): string {
  const uid = encodeURIComponent(input.uid);
  const scopes = input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  return layout(
    'Allow access',
    `<h1>Allow access</h1>
<p>Signed in as <strong>${escapeHtml(input.username)}</strong>.</p>
<p><code>${escapeHtml(input.clientId)}</code> asks for:</p>
<ul>${scopes || '<li>your identity</li>'}</ul>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" class="secondary">Deny</button></form>`,
  );
}

export function errorPage(message: string): string {
  return layout(
    'Sign-in error',
    `<h1>Sign-in error</h1><p class="error">${escapeHtml(message)}</p>`,
  );
}

export function homePage(issuer: string): string {
  const discovery = `${issuer}/.well-known/openid-configuration`;
  return layout(
    'Tracegate development IdP',
    `<h1>Tracegate development IdP</h1>
<p>oidc-provider for local development only. Issuer <code>${escapeHtml(issuer)}</code>.</p>
<p><a href="${escapeHtml(discovery)}">Discovery document</a> · <a href="${escapeHtml(`${issuer}/jwks`)}">JWKS</a></p>`,
  );
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;font:inherit;box-sizing:border-box}
button{padding:.5rem 1.2rem;font:inherit;margin:.5rem 0}.secondary{background:none;border:1px solid #999}
.error{color:#a00;font-weight:600}aside{margin-top:2rem;font-size:.9rem;color:#555}
</style></head><body>${body}</body></html>`;
}
