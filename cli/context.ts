// What every command gets: the environment, the output streams, the client
// (built on first use, so `--help` needs no token), and Ctrl-C as a signal.
import { createTracegateClient, type TracegateClient } from '../sdk/index.ts';
import { tokenFromEnvironment } from './token.ts';

export const DEFAULT_GATEWAY_URL = 'http://localhost:8787';
export const CLI_VERSION = '0.1.0';

export interface OutputStream {
  write(text: string | Uint8Array): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & OutputStream;
  stderr: OutputStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  client(): TracegateClient;
}

/** A mistake on the command line: exit 1 with the message and a pointer to --help. */
export class UsageError extends Error {
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** No token, or an ambiguous one: exit 2. */
export class TokenSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenSetupError';
  }
}

/** Ctrl-C: the reason the CLI's signal was aborted with. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export function gatewayUrl(env: NodeJS.ProcessEnv): string {
  return env.TRACEGATE_URL?.trim() || DEFAULT_GATEWAY_URL;
}

export function createContext(
  env: NodeJS.ProcessEnv,
  stdout: CliContext['stdout'],
  stderr: OutputStream,
  signal: AbortSignal,
): CliContext {
  let client: TracegateClient | undefined;
  return {
    env,
    stdout,
    stderr,
    signal,
    client() {
      if (client !== undefined) return client;
      const token = tokenFromEnvironment(env);
      if (!token.ok) throw new TokenSetupError(token.message);
      const baseUrl = gatewayUrl(env);
      try {
        client = createTracegateClient({
          baseUrl,
          token: token.token,
          userAgent: `tracegate-cli/${CLI_VERSION}`,
        });
      } catch (error) {
        throw new UsageError(
          `TRACEGATE_URL (${baseUrl}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return client;
    },
  };
}
