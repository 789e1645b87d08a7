// CLI: `node local-dev/idp/main.ts [--port 9400] [--issuer URL]` runs the development IdP alone.
import { parseFlags, portFlag } from '../http-server.ts';
import { startIdp } from './server.ts';

const flags = parseFlags(process.argv.slice(2), ['port', 'issuer', 'redirect-uri']);
const redirect = flags.get('redirect-uri');
const idp = await startIdp({
  port: portFlag(flags, 9400),
  issuer: flags.get('issuer'),
  extraRedirectUris: redirect === undefined ? [] : [redirect],
  log: (line) => console.log(`[idp] ${line}`),
});
console.log(`development IdP: issuer ${idp.issuer}, JWKS ${idp.jwksUri}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void idp.close().then(() => process.exit(0)));
}
