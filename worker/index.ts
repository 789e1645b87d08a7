// The Worker entry: validates the bundled configuration at startup (an invalid
// file fails `wrangler dev` and `wrangler deploy` with a message naming the
// field) and serves the gateway.
import configText from 'tracegate-config';
import { parseGatewayConfig } from './config/load.ts';
import { createApp } from './app.ts';

const config = parseGatewayConfig(configText);
const app = createApp({ config });

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { AccessRequest } from '../durable-objects/access-request.ts';
