// Listening and closing for the local-dev Node servers: loopback only, port 0
// for an ephemeral port, and a close() that also ends keep-alive and streaming
// connections so tests and Ctrl-C never hang on an open socket.
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';

export interface RunningService {
  /** Base URL, without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const loopbackHost = '127.0.0.1';

/** Listens on 127.0.0.1:port (0 picks a free port) and returns the bound port. */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, loopbackHost, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('server has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
}

/** Stops accepting, destroys open connections, resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Asks the OS for a free loopback port (for processes that cannot take port 0). */
export async function findFreePort(): Promise<number> {
  const probe = createNetServer();
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, loopbackHost, () => {
      const address = probe.address();
      const port = address !== null && typeof address !== 'string' ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Parses `--name value` / `--name=value` flags of a tiny CLI; unknown flags are an error. */
export function parseFlags(argv: string[], known: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!arg.startsWith('--') || !known.includes(name)) {
      const expected = known.map((k) => `--${k}`).join(', ');
      throw new TypeError(`unknown argument ${arg}; expected ${expected}`);
    }
    if (eq !== -1) {
      flags.set(name, arg.slice(eq + 1));
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) {
      flags.set(name, 'true');
    } else {
      flags.set(name, value);
      i++;
    }
  }
  return flags;
}

/** Reads a port flag: a number 0..65535, or the default. */
export function portFlag(flags: Map<string, string>, fallback: number): number {
  const raw = flags.get('port');
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`--port must be an integer 0..65535, got ${raw}`);
  }
  return port;
}
