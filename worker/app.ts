// The gateway's HTTP surface (Hono). Each route delegates to a module with one
// job; this file only wires them and renders errors.
import { Hono } from 'hono';
import { DEFAULT_SIGN_IN_MAX_AGE_SECONDS, type GatewayConfig } from './config/schema.ts';
import { GatewayError, causeReason } from './http/errors.ts';
import { problemResponse } from './http/problem.ts';
import { createTokenVerifier } from './identity/verify-access-token.ts';
import { createRouter } from './routing/resolve-route.ts';
import { createD1AuditLog, type AuditLog } from './audit/audit-log.ts';
import { readTrace, type ReadDeps } from './read/read-trace.ts';
import type { UpstreamFetch } from './proxy/fetch-upstream.ts';
import { createReviewApp } from './review/pages/review-app.ts';
import { createRequestsApi } from './requests/requests-api.ts';
import { createAuditApi } from './auditor/audit-api.ts';
import { createAuditorPages } from './auditor/auditor-pages.ts';
import { reviewSessionPrincipal, signInRedirect } from './auditor/browser-session.ts';
import { createSessionsApi } from './auditor/sessions-api.ts';
import { createOpenApiRoutes } from './openapi/openapi-routes.ts';
import { sessionKeys } from './session/session-keys.ts';
import { publicOrigin } from './session/public-origin.ts';

export interface AppOptions {
  config: GatewayConfig;
  /** Test seams: the JWKS fetch, the upstream fetch, the clock, the audit log. */
  jwksFetch?: typeof fetch;
  /** Test seam: reviewer sign-in calls to the IdP (discovery, token endpoint). */
  idpFetch?: typeof fetch;
  upstreamFetch?: UpstreamFetch;
  now?: () => number;
  auditLog?: (env: Env) => AuditLog;
}

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string };
};

export function createApp(options: AppOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const verifier = createTokenVerifier(config.issuers, {
    ...(options.jwksFetch === undefined ? {} : { fetch: options.jwksFetch }),
    now,
    maxTokenBytes: config.gateway.maxTokenBytes,
  });
  const router = createRouter(config.namespaces);
  const auditLogFor = options.auditLog ?? ((env: Env) => createD1AuditLog(env.AUDIT_DB, now, env));

  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set('requestId', crypto.randomUUID());
    await next();
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    const gatewayError =
      error instanceof GatewayError ? error : new GatewayError('internal_error', { cause: error });
    if (gatewayError.status >= 500) {
      console.error(`[${requestId}] ${causeReason(gatewayError)}`);
    }
    return problemResponse(gatewayError, requestId);
  });

  app.notFound((c) => problemResponse(new GatewayError('not_found'), c.get('requestId')));

  app.get('/healthz', (c) => c.json({ ok: true }));

  app.route('/review', createReviewApp({ ...options, now }));
  app.route('/v1/requests', createRequestsApi({ config, verifier, auditLog: auditLogFor }));
  const auditor = {
    verifier,
    auditorGroups: config.gateway.auditorGroups,
    auditLogFor,
    now,
    browserPrincipal: reviewSessionPrincipal(
      now,
      config.gateway.reviewLogin?.signInMaxAgeSeconds ?? DEFAULT_SIGN_IN_MAX_AGE_SECONDS,
    ),
    ...(config.gateway.reviewLogin === undefined ? {} : { signInRedirect }),
  };
  app.route('/v1/sessions', createSessionsApi(auditor));
  app.route('/v1/audit', createAuditApi(auditor));
  app.route('/audit', createAuditorPages(auditor));

  app.route('/', createOpenApiRoutes());

  // Only the secrets the configuration names as store credentials reach the
  // read path (the config refuses the gateway's own names there, too).
  const credentialSecrets = config.namespaces.flatMap((ns) =>
    ns.upstream.credential === undefined ? [] : [ns.upstream.credential.secret],
  );
  app.all('*', async (c) => {
    const deps: ReadDeps = {
      verifier,
      router,
      audit: auditLogFor(c.env),
      secrets: Object.fromEntries(
        credentialSecrets.map((name) => [name, Reflect.get(c.env, name)]),
      ),
      now,
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      recordings: c.env.RECORDINGS,
      masking: {
        profiles: config.masking.profiles,
        hmacSecret: secretNamed(c.env, 'MASKING_HMAC_KEY'),
      },
      review: {
        accessRequests: c.env.ACCESS_REQUESTS,
        db: c.env.AUDIT_DB,
        publicUrl: () => publicOrigin(c.env, c.req.url).origin,
        maxWaitSeconds: config.gateway.maxWaitSeconds,
        maxPendingRequests: config.gateway.maxPendingRequests,
        slotKey: () =>
          sessionKeys(c.env).then(
            (keys) => keys.requestSlot,
            () => null,
          ),
      },
      ...(options.upstreamFetch === undefined ? {} : { upstreamFetch: options.upstreamFetch }),
    };
    return readTrace(c.req.raw, c.get('requestId'), deps);
  });

  return app;
}

/** A Worker secret by name (secrets are not in the generated Env type), or undefined. */
function secretNamed(env: object, name: string): string | undefined {
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' ? value : undefined;
}
