// CLI: `node local-dev/gateway-main.ts [--port 8787]` runs the gateway alone
// under `wrangler dev` (local D1, R2 and Durable Objects), after writing the
// development secrets .dev.vars lacks and applying the D1 migrations.
// Docker Compose runs this as its gateway service; `npm start` runs the same
// functions through local-dev/stack.ts.
import { parseFlags, portFlag } from './http-server.ts';
import {
  applyLocalMigrations,
  defaultPersistDir,
  ensureDevVars,
  startGateway,
} from './gateway-process.ts';

const flags = parseFlags(process.argv.slice(2), ['port']);
const log = (line: string): void => console.log(`[gateway] ${line}`);
const devVars = ensureDevVars();
if (devVars.added.length > 0) log(`wrote ${devVars.added.join(', ')} to ${devVars.path}`);
await applyLocalMigrations(defaultPersistDir, log);
const gateway = await startGateway({
  port: portFlag(flags, 8787),
  persistDir: defaultPersistDir,
  log,
});
console.log(`gateway on ${gateway.url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void gateway.close().then(() => process.exit(0)));
}
