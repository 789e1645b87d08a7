// `npm run config:check [file]`: validates a Tracegate configuration file with
// the same schema the Worker uses at startup. Exits 1 with messages naming
// each bad field.
import { readFileSync } from 'node:fs';
import { ConfigError, parseGatewayConfig } from '../worker/config/load.ts';

const file = process.argv[2] ?? 'tracegate.yaml';
try {
  const config = parseGatewayConfig(readFileSync(file, 'utf8'));
  const rules = config.namespaces.reduce((n, ns) => n + ns.policy.rules.length, 0);
  console.log(
    `${file}: valid (${config.issuers.length} issuer(s), ${config.namespaces.length} namespace(s), ${rules} rule(s))`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${file}: ${error.message}`);
  } else {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
