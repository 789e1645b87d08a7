// CLI: `node local-dev/webhook-sink/main.ts [--port 9500]` runs the webhook sink alone.
import { parseFlags, portFlag } from '../http-server.ts';
import { startWebhookSink } from './server.ts';

const flags = parseFlags(process.argv.slice(2), ['port']);
const sink = await startWebhookSink({
  port: portFlag(flags, 9500),
  log: (line) => console.log(`[sink] ${line}`),
});
console.log(`webhook sink on ${sink.url} (POST ${sink.url}/hooks/<name>)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void sink.close().then(() => process.exit(0)));
}
