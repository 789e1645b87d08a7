// oidc-provider configuration for the development IdP: the test users, the
// gateway's clients, and RFC 9068 JWT access tokens for one resource server
// (the gateway) with `aud: tracegate`, RS256, and `sub`/`email`/`groups`.
//
// Resource indicators (RFC 8707): every request defaults to the gateway's
// resource, and the code exchange uses the granted resource, so a client never
// has to send `resource=`; the access token is then a JWT for the gateway
// rather than an opaque userinfo token.
import { randomBytes } from 'node:crypto';
import { errors, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { JWK } from 'jose';
import { findTestUser, userClaims } from './accounts.ts';
import { errorPage } from './interaction-pages.ts';

export const gatewayAudience = 'tracegate';
/** The resource indicator naming the gateway (RFC 8707), whatever port it runs on. */
export const gatewayResource = 'urn:tracegate:gateway';
export const gatewayScope = 'traces:read';

export const reviewClientId = 'tracegate-review';
export const cliClientId = 'tracegate-cli';
/** Dev-only secret of the machine client. */
export const cliClientSecret = 'tracegate-cli-secret';

/** Machine identities behind confidential clients (client_credentials). */
const serviceAccounts: Record<string, { subject: string; groups: string[] }> = {
  [cliClientId]: { subject: 'svc-agent', groups: ['requester'] },
};

export const defaultReviewRedirectUris = [
  'http://localhost:8787/review/callback',
  'http://127.0.0.1:8787/review/callback',
];

export interface ProviderConfigOptions {
  signingKey: JWK;
  accessTokenTtlSeconds: number;
  extraRedirectUris: string[];
}

export function buildProviderConfig(options: ProviderConfigOptions): Configuration {
  const ttl = options.accessTokenTtlSeconds;
  return {
    clients: clients(options.extraRedirectUris),
    jwks: { keys: [{ ...options.signingKey }] },
    // Cookies are signed with a per-start key; over http on localhost (dev only)
    // they are sent without `Secure`, SameSite=Lax keeps the form posts working.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // Scope claims (email, groups) go into the ID token too: the gateway's
    // reviewer login reads them from there, without a userinfo call.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const user = findTestUser(sub);
      if (user === undefined) return undefined;
      return { accountId: user.username, claims: () => userClaims(user) };
    },
    async extraTokenClaims(_ctx, token) {
      if (token.accountId !== undefined) {
        const user = findTestUser(token.accountId);
        return user === undefined ? undefined : { email: user.email, groups: [...user.groups] };
      }
      const service = token.clientId === undefined ? undefined : serviceAccounts[token.clientId];
      return service === undefined ? undefined : { groups: [...service.groups] };
    },
    formats: {
      customizers: {
        // RFC 9068 makes `sub` the client id for client_credentials; the gateway
        // identifies the machine requester by its service subject instead.
        jwt(_ctx, token, jwt) {
          const service =
            token.clientId === undefined ? undefined : serviceAccounts[token.clientId];
          if (token.kind === 'ClientCredentials' && service !== undefined) {
            jwt.payload.sub = service.subject;
          }
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(_ctx, _client, oneOf) {
          if (oneOf === undefined) return gatewayResource;
          return oneOf.includes(gatewayResource) ? gatewayResource : oneOf;
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(_ctx, resourceIndicator) {
          if (resourceIndicator !== gatewayResource) throw new errors.InvalidTarget();
          return {
            scope: gatewayScope,
            audience: gatewayAudience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    responseTypes: ['code'],
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(
        `${out.error ?? 'error'}: ${out.error_description ?? 'the request failed'}`,
      );
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: ttl,
      Interaction: 10 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
      RefreshToken: 24 * 60 * 60,
    },
  };
}

function clients(extraRedirectUris: string[]): ClientMetadata[] {
  return [
    {
      // The gateway's reviewer login: a public client, code + PKCE S256.
      client_id: reviewClientId,
      client_name: 'Tracegate review',
      redirect_uris: [...new Set([...defaultReviewRedirectUris, ...extraRedirectUris])],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    {
      // A machine requester (an agent or CI job) reading traces on its own.
      client_id: cliClientId,
      client_secret: cliClientSecret,
      client_name: 'Tracegate CLI (svc-agent)',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ];
}
