// The development OIDC provider: oidc-provider 9 (an OpenID-certified
// implementation) with the test users, the gateway's clients, our own login
// and consent pages, and JWT access tokens for the gateway. Dev only: in-memory
// storage (sessions end with the process), well-known passwords, plain http.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { Provider } from 'oidc-provider';
import { closeServer, listenOnLoopback, type RunningService } from '../http-server.ts';
import { localStateDir } from '../paths.ts';
import { homePage } from './interaction-pages.ts';
import { handleInteraction } from './interaction-routes.ts';
import { buildProviderConfig } from './provider-config.ts';
import { loadOrCreateSigningKey } from './signing-key.ts';

export {
  cliClientId,
  cliClientSecret,
  gatewayAudience,
  gatewayResource,
  gatewayScope,
  reviewClientId,
} from './provider-config.ts';
export { testUserPassword, testUsers, type TestUser } from './accounts.ts';

export interface DevIdpOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Issuer URL; defaults to http://localhost:<bound port>. Must reach this server. */
  issuer?: string;
  /** Where the signing key is kept; null for a fresh key per start. */
  keyFile?: string | null;
  /** Lifetime of access and ID tokens, in seconds (default 3600). */
  accessTokenTtlSeconds?: number;
  /** More redirect URIs for the tracegate-review client (a gateway on another port). */
  extraRedirectUris?: string[];
  log?: (line: string) => void;
}

export interface DevIdp extends RunningService {
  issuer: string;
  jwksUri: string;
  provider: Provider;
}

export const defaultIdpKeyFile = path.join(localStateDir, 'idp-signing-key.json');

export async function startIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const log = options.log ?? ((): void => {});
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new TypeError('accessTokenTtlSeconds must be a positive integer');
  const signingKey = await loadOrCreateSigningKey(
    options.keyFile === undefined ? defaultIdpKeyFile : options.keyFile,
  );

  // Listen first: with port 0 the issuer depends on the port the OS picks. The
  // request handler is attached below, before the URL is handed to anyone.
  const server = createServer();
  const port = await listenOnLoopback(server, options.port ?? 0);
  const issuer = (options.issuer ?? `http://localhost:${port}`).replace(/\/$/, '');

  const provider = new Provider(
    issuer,
    buildProviderConfig({
      signingKey,
      accessTokenTtlSeconds: ttl,
      extraRedirectUris: options.extraRedirectUris ?? [],
    }),
  );
  provider.on('server_error', (_ctx, error) => log(`server_error: ${String(error)}`));
  const providerCallback = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', issuer).pathname;
    if (pathname.startsWith('/interaction/')) {
      handleInteraction(provider, req, res, pathname).catch((error: unknown) => {
        log(`interaction failed: ${String(error)}`);
        if (!res.headersSent)
          res.writeHead(500, { 'content-type': 'text/plain' }).end('interaction failed');
      });
      return;
    }
    if (pathname === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(homePage(issuer));
      return;
    }
    providerCallback(req, res);
  });

  return {
    url: issuer,
    port,
    issuer,
    jwksUri: `${issuer}/jwks`,
    provider,
    close: () => closeServer(server),
  };
}
