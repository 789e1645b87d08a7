// The whole local stack in one call, for `npm start`, end-to-end tests and the
// bench: origin shim, development IdP, webhook sink (each on its port, 0 for
// an ephemeral one), then the gateway under `wrangler dev` on an explicit port.
// close() stops everything in reverse order, whatever failed on the way up.
import { rmSync } from 'node:fs';
import { gatewayConfigArgs } from './gateway-config.ts';
import { findFreePort, type RunningService } from './http-server.ts';
import {
  applyLocalMigrations,
  defaultPersistDir,
  ensureDevVars,
  startGateway,
  type RunningGateway,
} from './gateway-process.ts';
import { startIdp, type DevIdp } from './idp/server.ts';
import { startOriginShim, type OriginShim } from './origin-shim/server.ts';
import { startWebhookSink, type WebhookSink } from './webhook-sink/server.ts';

export interface LocalStackPorts {
  origin?: number;
  idp?: number;
  sink?: number;
  /** wrangler needs a real port; 0 means "find a free one first". */
  gateway?: number;
}

export interface LocalStackOptions {
  /** Defaults: all 0 (ephemeral). start.ts passes 9300/9400/9500/8787. */
  ports?: LocalStackPorts;
  /**
   * Extra `wrangler dev` arguments. Unless they set TRACEGATE_CONFIG, a stack
   * on non-default ports runs the gateway with a copy of tracegate.yaml whose
   * local URLs point at this stack's ports (see gateway-config.ts).
   */
  gatewayArgs?: string[];
  /** The gateway's configuration file (default tracegate.yaml), ported like it. */
  configFile?: string;
  /** false: do not run wrangler (the Node services only). Default true. */
  gateway?: boolean;
  /** IdP issuer; defaults to http://localhost:<idp port>. */
  issuer?: string;
  /** IdP signing key file; null for an ephemeral key (default: persisted under .tracegate-local/). */
  idpKeyFile?: string | null;
  /** Wrangler state directory (default .tracegate-local/wrangler). */
  persistDir?: string;
  log?: (source: 'origin' | 'idp' | 'sink' | 'gateway', line: string) => void;
}

export interface LocalStack {
  origin: OriginShim;
  idp: DevIdp;
  sink: WebhookSink;
  gateway: RunningGateway | undefined;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const ports = options.ports ?? {};
  const log = options.log ?? ((): void => {});
  const started: RunningService[] = [];
  let configFile: string | null = null;
  const closeAll = async (): Promise<void> => {
    for (const service of started.splice(0).reverse()) await service.close();
    if (configFile !== null) rmSync(configFile, { force: true });
    configFile = null;
  };
  try {
    const wantGateway = options.gateway ?? true;
    const gatewayPort = wantGateway
      ? ports.gateway || (await findFreePort())
      : (ports.gateway ?? 8787);
    const origin = await startOriginShim({
      port: ports.origin ?? 0,
      log: (line) => log('origin', line),
    });
    started.push(origin);
    const idp = await startIdp({
      port: ports.idp ?? 0,
      issuer: options.issuer,
      keyFile: options.idpKeyFile,
      extraRedirectUris: [
        `http://localhost:${gatewayPort}/review/callback`,
        `http://127.0.0.1:${gatewayPort}/review/callback`,
      ],
      log: (line) => log('idp', line),
    });
    started.push(idp);
    const sink = await startWebhookSink({
      port: ports.sink ?? 0,
      log: (line) => log('sink', line),
    });
    started.push(sink);

    let gateway: RunningGateway | undefined;
    if (wantGateway) {
      const persistDir = options.persistDir ?? defaultPersistDir;
      const devVars = ensureDevVars();
      if (devVars.added.length > 0) {
        log('gateway', `wrote ${devVars.added.join(', ')} to ${devVars.path}`);
      }
      await applyLocalMigrations(persistDir, (line) => log('gateway', line));
      const args = options.gatewayArgs ?? [];
      const ported = args.some((arg) => arg.startsWith('TRACEGATE_CONFIG:'))
        ? { args: [], file: null }
        : gatewayConfigArgs(
            { origin: origin.port, idp: idp.port, sink: sink.port, gateway: gatewayPort },
            options.configFile,
          );
      configFile = ported.file;
      gateway = await startGateway({
        port: gatewayPort,
        args: [...ported.args, ...args],
        persistDir,
        log: (line) => log('gateway', line),
      });
      started.push(gateway);
    }
    return { origin, idp, sink, gateway, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
