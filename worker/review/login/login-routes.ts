// Sign-in at the gateway, for reviewers and auditors alike: OIDC authorization
// code flow with PKCE (RFC 7636, S256) and nonce, through oauth4webapi, against
// the one issuer named by `gateway.reviewLogin`. The session it sets serves
// the review pages and the auditor pages (session/review-session.ts).
//
//   GET  /review/login?return=/review/{id}  → 302 to the IdP; sealed flow cookie
//        (or return=/audit/sessions[/{id}]; return-path.ts has the allow-list)
//   GET  /review/callback                   → checks state, exchanges the code,
//                                             verifies the ID token, sets the session
//   POST /review/logout                     → clears the session
//
// Every refusal is a page with a generic message; the precise reason goes to
// the log with the request id.
import type { Hono } from 'hono';
import {
  AuthorizationResponseError,
  OperationProcessingError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  authorizationCodeGrantRequest,
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
  None,
  processAuthorizationCodeResponse,
  validateAuthResponse,
  type AuthorizationServer,
  type Client,
} from 'oauth4webapi';
import type { AppEnv } from '../../app.ts';
import { GatewayError, causeReason } from '../../http/errors.ts';
import { readFormBody } from '../pages/form-body.ts';
import type { ReviewDeps, ReviewLogin } from '../pages/review-deps.ts';
import { checkSameOrigin } from '../pages/same-origin.ts';
import { createCsrfToken, verifyCsrfToken } from '../../session/csrf-token.ts';
import { publicOrigin } from '../../session/public-origin.ts';
import {
  clearReviewSession,
  createReviewSession,
  readReviewSession,
} from '../../session/review-session.ts';
import { sessionKeys } from '../../session/session-keys.ts';
import { idpMetadata, idpRequestOptions } from './idp-metadata.ts';
import { setLoginFlowCookie, takeLoginFlowCookie } from './login-flow-cookie.ts';
import { parseReturnPath } from './return-path.ts';
import { verifyIdToken } from './verify-id-token.ts';

/** The CSRF "request id" a logout token is bound to. */
export const LOGOUT_CSRF_SCOPE = 'logout';

export function registerLoginRoutes(app: Hono<AppEnv>, deps: ReviewDeps): void {
  const reserved = ['/review/login', '/review/logout', deps.login?.settings.redirectPath ?? ''];

  const requireLogin = (): ReviewLogin => {
    if (deps.login === undefined) {
      throw new GatewayError('gateway_misconfigured', {
        cause: new Error('gateway.reviewLogin is not configured'),
      });
    }
    return deps.login;
  };

  const metadata = async (login: ReviewLogin): Promise<AuthorizationServer> => {
    try {
      return await idpMetadata(login.issuer.issuer, deps.idpFetch, deps.now());
    } catch (error) {
      throw new GatewayError('idp_unavailable', { cause: error });
    }
  };

  app.get('/login', async (c) => {
    const login = requireLogin();
    const keys = await sessionKeys(c.env);
    const origin = publicOrigin(c.env, c.req.url);
    const returnTo = parseReturnPath(c.req.query('return'), reserved);
    if (!returnTo.ok) {
      throw new GatewayError('bad_request', {
        publicDetail: 'The return address is not a review or audit page of this gateway.',
      });
    }
    const as = await metadata(login);
    if (as.authorization_endpoint === undefined) {
      throw new GatewayError('gateway_misconfigured', {
        cause: new Error('the sign-in issuer advertises no authorization_endpoint'),
      });
    }
    const flow = {
      state: generateRandomState(),
      nonce: generateRandomNonce(),
      codeVerifier: generateRandomCodeVerifier(),
      returnTo: returnTo.path,
    };
    const authorize = new URL(as.authorization_endpoint);
    authorize.searchParams.set('response_type', 'code');
    authorize.searchParams.set('client_id', login.settings.clientId);
    authorize.searchParams.set('redirect_uri', origin.origin + login.settings.redirectPath);
    authorize.searchParams.set('scope', login.settings.scopes.join(' '));
    authorize.searchParams.set('state', flow.state);
    authorize.searchParams.set('nonce', flow.nonce);
    authorize.searchParams.set(
      'code_challenge',
      await calculatePKCECodeChallenge(flow.codeVerifier),
    );
    authorize.searchParams.set('code_challenge_method', 'S256');
    await setLoginFlowCookie(c, keys, flow, { now: deps.now(), secure: origin.secure });
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.redirect(authorize.href, 302);
  });

  app.get(deps.login?.settings.redirectPath.slice('/review'.length) ?? '/callback', async (c) => {
    const login = requireLogin();
    const keys = await sessionKeys(c.env);
    const origin = publicOrigin(c.env, c.req.url);
    const now = deps.now();
    const flow = await takeLoginFlowCookie(c, keys, { now, secure: origin.secure });
    if (!flow.ok) {
      throw new GatewayError('bad_request', {
        publicDetail:
          'This sign-in expired or was started in another browser. Open the review link again.',
        cause: new Error(`login flow cookie ${flow.reason}`),
      });
    }
    const as = await metadata(login);
    const client: Client = { client_id: login.settings.clientId };

    let callbackParams: URLSearchParams;
    try {
      callbackParams = validateAuthResponse(
        as,
        client,
        new URL(c.req.url).searchParams,
        flow.value.state,
      );
    } catch (error) {
      if (error instanceof AuthorizationResponseError) {
        throw new GatewayError('unauthenticated', {
          publicDetail: 'The identity provider did not sign you in.',
          cause: new Error(`authorization error ${error.error}`),
        });
      }
      throw new GatewayError('bad_request', {
        publicDetail: 'This sign-in response does not match the sign-in that was started.',
        cause: error,
      });
    }

    let idToken: string;
    try {
      const response = await authorizationCodeGrantRequest(
        as,
        client,
        None(),
        callbackParams,
        origin.origin + login.settings.redirectPath,
        flow.value.codeVerifier,
        idpRequestOptions(login.issuer.issuer, deps.idpFetch),
      );
      const tokens = await processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: flow.value.nonce,
        requireIdToken: true,
      });
      if (tokens.id_token === undefined) throw new Error('no id_token in the token response');
      idToken = tokens.id_token;
    } catch (error) {
      throw tokenExchangeError(error);
    }

    const verified = await verifyIdToken(
      idToken,
      { issuer: login.issuer, clientId: login.settings.clientId, nonce: flow.value.nonce },
      { now, ...(deps.jwksFetch === undefined ? {} : { jwksFetch: deps.jwksFetch }) },
    );
    if (!verified.ok) {
      throw new GatewayError(
        verified.reason === 'idp_unavailable' ? 'idp_unavailable' : 'invalid_token',
        {
          publicDetail: 'The identity provider’s answer could not be verified.',
          cause: new Error(`${verified.reason}: ${verified.detail}`),
        },
      );
    }
    await createReviewSession(c, keys, verified.principal, {
      now,
      ttlSeconds: login.settings.sessionTtlSeconds,
      secure: origin.secure,
    });
    c.header('cache-control', 'no-store');
    return c.redirect(flow.value.returnTo, 303);
  });

  app.post('/logout', async (c) => {
    const origin = publicOrigin(c.env, c.req.url);
    const sameOrigin = checkSameOrigin(c.req.raw.headers, origin.origin);
    if (!sameOrigin.ok) {
      throw new GatewayError('csrf_failed', { cause: new Error(sameOrigin.reason) });
    }
    const keys = await sessionKeys(c.env);
    const session = await readReviewSession(c, keys, { now: deps.now(), secure: origin.secure });
    if (session.ok) {
      const form = await readFormBody(c.req.raw);
      const valid = await verifyCsrfToken(
        keys.csrf,
        session.value.sid,
        LOGOUT_CSRF_SCOPE,
        form?.['csrf'],
      );
      if (!valid) throw new GatewayError('csrf_failed', { cause: new Error('logout token') });
    }
    clearReviewSession(c, origin.secure);
    c.header('cache-control', 'no-store');
    return c.redirect('/review', 303);
  });
}

export function logoutToken(csrfKey: CryptoKey, sid: string): Promise<string> {
  return createCsrfToken(csrfKey, sid, LOGOUT_CSRF_SCOPE);
}

/** Token endpoint failures: the IdP said no (401), its answer is bad (401), or it is unreachable (503). */
function tokenExchangeError(error: unknown): GatewayError {
  const cause = new Error(`token exchange: ${causeReason(error)}`);
  if (error instanceof ResponseBodyError || error instanceof WWWAuthenticateChallengeError) {
    return new GatewayError('unauthenticated', {
      publicDetail: 'The identity provider refused the sign-in. Start again from the review link.',
      cause,
    });
  }
  if (error instanceof OperationProcessingError) {
    return new GatewayError('invalid_token', {
      publicDetail: 'The identity provider’s answer could not be verified.',
      cause,
    });
  }
  return new GatewayError('idp_unavailable', { cause });
}
