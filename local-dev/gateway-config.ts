// The gateway's configuration for a stack on non-default ports. tracegate.yaml
// names the local services by their default ports (origin shim 9300, IdP 9400,
// webhook sink 9500, gateway 8787); a stack on other ports (tests, the bench)
// gets a copy with those ports swapped, passed to the gateway as the
// TRACEGATE_CONFIG variable (worker/config/active-config.ts); the copy is also
// written under .tracegate-local/ for a look while the stack runs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localStateDir, repoRoot } from './paths.ts';

const defaultConfigSource = path.join(repoRoot, 'tracegate.yaml');

export const defaultLocalPorts = { origin: 9300, idp: 9400, sink: 9500, gateway: 8787 } as const;

export type LocalPorts = Record<keyof typeof defaultLocalPorts, number>;

/** Rewrites local service URLs (`http://localhost:9300` …) in `yaml` to `ports`. */
export function portConfigText(yaml: string, ports: LocalPorts): string {
  const byDefault = new Map<number, number>(
    Object.entries(defaultLocalPorts).map(([name, port]) => [
      port,
      ports[name as keyof LocalPorts],
    ]),
  );
  return yaml.replace(
    /(http:\/\/(?:localhost|127\.0\.0\.1)):(9300|9400|9500|8787)\b/g,
    (_match, origin: string, port: string) => `${origin}:${byDefault.get(Number(port)) ?? port}`,
  );
}

/**
 * Writes the ported copy of `source` under .tracegate-local/ and returns the
 * wrangler arguments that select it and the file (for the caller to remove
 * when the stack stops), or no arguments and no file for tracegate.yaml
 * itself when every port is a default.
 */
export function gatewayConfigArgs(
  ports: LocalPorts,
  source = defaultConfigSource,
): { args: string[]; file: string | null } {
  const unchanged = Object.entries(defaultLocalPorts).every(
    ([name, port]) => ports[name as keyof LocalPorts] === port,
  );
  if (unchanged && source === defaultConfigSource) return { args: [], file: null };
  const file = path.join(localStateDir, `tracegate.${ports.gateway}.yaml`);
  const text = portConfigText(readFileSync(source, 'utf8'), ports);
  mkdirSync(localStateDir, { recursive: true });
  writeFileSync(file, text);
  return { args: ['--var', `TRACEGATE_CONFIG:${text}`], file };
}
