// CLI: prints an access token from the development IdP, for pasting into curl.
//
//   node local-dev/idp/get-token.ts --user alice [--issuer http://localhost:9400]
//   node local-dev/idp/get-token.ts --client-credentials     # svc-agent (tracegate-cli)
//
// --user runs the real authorization code + PKCE flow through the login and
// consent pages; --id-token prints the ID token instead of the access token.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../http-server.ts';
import { getClientCredentialsToken, getUserTokenSet } from './token-flows.ts';

export { getClientCredentialsToken, getUserToken, getUserTokenSet } from './token-flows.ts';

async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, [
    'user',
    'password',
    'issuer',
    'client-id',
    'redirect-uri',
    'scope',
    'id-token',
    'client-credentials',
  ]);
  const issuer = flags.get('issuer') ?? 'http://localhost:9400';
  if (flags.has('client-credentials')) {
    console.log(await getClientCredentialsToken({ issuer }));
    return;
  }
  const user = flags.get('user');
  if (user === undefined || user === 'true') {
    throw new TypeError(
      'usage: get-token.ts --user <alice|bob|carol|dave|erin|mallory> [--issuer URL] | --client-credentials',
    );
  }
  const tokens = await getUserTokenSet({
    issuer,
    user,
    password: flags.get('password'),
    clientId: flags.get('client-id'),
    redirectUri: flags.get('redirect-uri'),
    scope: flags.get('scope'),
  });
  console.log(flags.has('id-token') ? (tokens.idToken ?? '') : tokens.accessToken);
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`get-token: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
