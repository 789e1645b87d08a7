// The IdP's interaction endpoints: show the login or consent page for the
// pending interaction, check the submitted password, record consent as a
// Grant, and hand control back to oidc-provider (interactionFinished).
//
//   GET  /interaction/:uid           login or consent page
//   POST /interaction/:uid/login     username + password
//   POST /interaction/:uid/confirm   consent
//   POST /interaction/:uid/abort     access_denied back to the client
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interaction, Provider } from 'oidc-provider';
import { authenticateTestUser } from './accounts.ts';
import { consentPage, errorPage, loginPage } from './interaction-pages.ts';

const maxFormBytes = 16 * 1024;

/** Handles a request under /interaction/; answers 404 for anything else there. */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(pathname);
  const uid = match?.[1];
  const action = match?.[2];
  if (uid === undefined) return sendHtml(res, 404, errorPage('Unknown interaction page.'));
  if ((action === undefined) !== (req.method === 'GET')) {
    return sendHtml(res, 405, errorPage('Method not allowed.'));
  }

  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    return sendHtml(
      res,
      400,
      errorPage(
        'This sign-in has expired or its cookie is missing. Start again from the application.',
      ),
    );
  }
  if (interaction.uid !== uid) {
    return sendHtml(
      res,
      400,
      errorPage('This sign-in page does not match the current sign-in. Start again.'),
    );
  }
  const clientId =
    typeof interaction.params.client_id === 'string' ? interaction.params.client_id : '';

  switch (action) {
    case undefined:
      return interaction.prompt.name === 'login'
        ? sendHtml(res, 200, loginPage({ uid, clientId }))
        : sendHtml(
            res,
            200,
            consentPage({
              uid,
              clientId,
              username: interaction.session?.accountId ?? '',
              scopes: requestedScopes(interaction),
            }),
          );
    case 'login': {
      const form = await readForm(req);
      const username = form.get('username') ?? '';
      const user = authenticateTestUser(username, form.get('password') ?? '');
      if (user === undefined) {
        return sendHtml(
          res,
          401,
          loginPage({ uid, clientId, username, error: 'Unknown user or wrong password.' }),
        );
      }
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.username } },
        {
          mergeWithLastSubmission: false,
        },
      );
    }
    case 'confirm': {
      await readForm(req);
      const grantId = await saveConsent(provider, interaction, clientId);
      const consent: { grantId?: string } = interaction.grantId === undefined ? { grantId } : {};
      return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    }
    case 'abort':
      await readForm(req);
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'the user cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    default:
      return sendHtml(res, 404, errorPage('Unknown interaction page.'));
  }
}

/** Grants what the consent prompt says is missing: OIDC scopes, claims, resource scopes. */
async function saveConsent(
  provider: Provider,
  interaction: Interaction,
  clientId: string,
): Promise<string> {
  const accountId = interaction.session?.accountId;
  if (accountId === undefined) throw new Error('consent without a signed-in account');
  const existing =
    interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details;
  const oidcScopes = stringList(details.missingOIDCScope);
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  const claims = stringList(details.missingOIDCClaims);
  if (claims.length > 0) grant.addOIDCClaims(claims);
  const resourceScopes = details.missingResourceScopes;
  if (resourceScopes !== null && typeof resourceScopes === 'object') {
    for (const [indicator, scopes] of Object.entries(resourceScopes)) {
      grant.addResourceScope(indicator, stringList(scopes).join(' '));
    }
  }
  return grant.save();
}

function requestedScopes(interaction: Interaction): string[] {
  const scope = interaction.params.scope;
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > maxFormBytes) throw new RangeError('form too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    // No form-action here: browsers apply it to the redirect back to the client.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}
