// The Worker entry: serves the gateway with the active configuration (see
// config/active-config.ts: the bundled file, validated at startup, or a
// TRACEGATE_CONFIG override) and runs the scheduled jobs.
import { activeConfig } from './config/active-config.ts';
import type { GatewayConfig } from './config/schema.ts';
import { GatewayError } from './http/errors.ts';
import { problemResponse } from './http/problem.ts';
import { createApp } from './app.ts';
import { createScheduledHandler } from './auditor/scheduled-jobs.ts';

const apps = new WeakMap<GatewayConfig, ReturnType<typeof createApp>>();
function appFor(config: GatewayConfig): ReturnType<typeof createApp> {
  let app = apps.get(config);
  if (app === undefined) {
    app = createApp({ config });
    apps.set(config, app);
  }
  return app;
}

export default {
  async fetch(request, env, ctx) {
    let config: GatewayConfig;
    try {
      config = activeConfig(env);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal_error');
      return problemResponse(failure, crypto.randomUUID());
    }
    return appFor(config).fetch(request, env, ctx);
  },
  // Cron (wrangler.toml [triggers]): audit checkpoints and recording retention.
  async scheduled(controller, env, ctx) {
    await createScheduledHandler(activeConfig(env))(controller, env, ctx);
  },
} satisfies ExportedHandler<Env & { TRACEGATE_CONFIG?: string }>;

export { AccessRequest } from '../durable-objects/access-request.ts';
