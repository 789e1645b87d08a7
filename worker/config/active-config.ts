// Which configuration the Worker runs with.
//
// The bundled file (tracegate.yaml, via the `tracegate-config` alias) is parsed
// and validated when the module loads, so an invalid file fails `wrangler dev`
// and `wrangler deploy`. A deployment may instead pass the whole YAML in the
// `TRACEGATE_CONFIG` variable (the e2e stack, the bench and Docker Compose do:
// `wrangler dev` ignores `--alias` on its command line). That text can only be
// read per request; it is validated once per isolate and an invalid override
// fails every request closed (500 gateway_misconfigured), never falls back.
import configText from 'tracegate-config';
import { GatewayError } from '../http/errors.ts';
import { ConfigError, parseGatewayConfig } from './load.ts';
import type { GatewayConfig } from './schema.ts';

export const bundledConfig: GatewayConfig = parseGatewayConfig(configText);

let cachedOverride: { text: string; result: GatewayConfig | ConfigError } | undefined;

export function activeConfig(env: { TRACEGATE_CONFIG?: unknown }): GatewayConfig {
  const override = env.TRACEGATE_CONFIG;
  if (typeof override !== 'string' || override.trim() === '') return bundledConfig;
  if (cachedOverride?.text !== override) {
    let result: GatewayConfig | ConfigError;
    try {
      result = parseGatewayConfig(override);
    } catch (error) {
      result = error instanceof ConfigError ? error : new ConfigError([String(error)]);
      console.error(`TRACEGATE_CONFIG is invalid: ${result.message}`);
    }
    cachedOverride = { text: override, result };
  }
  if (cachedOverride.result instanceof ConfigError) {
    throw new GatewayError('gateway_misconfigured', { cause: cachedOverride.result });
  }
  return cachedOverride.result;
}
