// CLI: `node local-dev/origin-shim/main.ts [--port 9300]` runs the origin shim alone.
import { parseFlags, portFlag } from '../http-server.ts';
import { startOriginShim } from './server.ts';

const flags = parseFlags(process.argv.slice(2), ['port']);
const shim = await startOriginShim({
  port: portFlag(flags, 9300),
  log: (line) => console.log(`[origin] ${line}`),
});
console.log(`origin shim on ${shim.url}`);
console.log(
  `  langfuse: GET ${shim.url}/api/public/traces/${shim.ids.langgraphWeather} (Basic pk-lf-local:sk-lf-local)`,
);
console.log(
  `  other:    GET ${shim.url}/otlp/v1/traces/${shim.ids.otlpExample} (Bearer origin-local-token)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void shim.close().then(() => process.exit(0)));
}
