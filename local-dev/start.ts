// `npm start`: the local stack on its fixed ports (origin shim 9300, IdP 9400,
// webhook sink 9500, gateway 8787), a short banner, and a clean stop on
// Ctrl-C / SIGTERM. `--without-gateway` runs only the Node services; arguments
// after `--` go to `wrangler dev` (e.g. `-- --var "TRACEGATE_CONFIG:$(cat my.yaml)"`).
import { parseFlags } from './http-server.ts';
import { killGatewayNow } from './gateway-process.ts';
import { testUsers } from './idp/accounts.ts';
import { originTraceIds } from './origin-shim/trace-fixtures.ts';
import { startLocalStack, type LocalStack } from './stack.ts';

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const flags = parseFlags(split === -1 ? argv : argv.slice(0, split), ['without-gateway']);
const gatewayArgs = split === -1 ? [] : argv.slice(split + 1);
const withGateway = !flags.has('without-gateway');

let stack: LocalStack | undefined;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping the local stack…');
    await stack?.close();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
// Last resort if the process dies some other way: never leave workerd behind.
process.on('exit', () => killGatewayNow(stack?.gateway));

try {
  stack = await startLocalStack({
    ports: { origin: 9300, idp: 9400, sink: 9500, gateway: 8787 },
    gateway: withGateway,
    gatewayArgs,
    log: (source, line) => console.log(`[${source}] ${line}`),
  });
} catch (error) {
  console.error(
    `local stack failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  await stop(1);
}
if (stack !== undefined) printBanner(stack);

function printBanner(s: LocalStack): void {
  const gateway = s.gateway?.url ?? 'not started (--without-gateway)';
  const users = testUsers
    .map((u) => `${u.username} (${u.groups.join('+') || 'no groups'})`)
    .join(', ');
  const gatewayUrl = s.gateway?.url ?? 'http://localhost:8787';
  console.log(`
Tracegate local stack is up (dev only; Ctrl-C stops everything)
  gateway       ${gateway}
  origin shim   ${s.origin.url}   Basic pk-lf-local:sk-lf-local on /api/public/*, Bearer origin-local-token elsewhere
  IdP           ${s.idp.issuer}   discovery ${s.idp.issuer}/.well-known/openid-configuration
  webhook sink  ${s.sink.url}   open it in a browser to see notifications
  users         ${users}; password "tracegate"

First request (./run.sh puts Node 22 first on PATH; get-token.ts needs it):
  TOKEN=$(./run.sh node local-dev/idp/get-token.ts --user dave) && curl -H "Authorization: Bearer $TOKEN" ${gatewayUrl}/langfuse/api/public/traces/${originTraceIds.langgraphWeather}

API document: ${gatewayUrl}/docs (and /openapi.json)
`);
}
