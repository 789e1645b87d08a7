// Where the CLI gets its bearer token: the environment, never a flag.
//
// A token in argv lands in shell history and in every other user's `ps`
// output. TRACEGATE_TOKEN holds one directly; TRACEGATE_TOKEN_COMMAND names a
// command (run by /bin/sh) that prints one on stdout, so any IdP's CLI works
// (`gcloud auth print-identity-token`, `az account get-access-token …`, the
// local dev IdP). The command runs for every request the SDK sends, so a
// long wait for a review never outlives a short-lived token.
import { spawn } from 'node:child_process';

export const TOKEN_ENV = 'TRACEGATE_TOKEN';
export const TOKEN_COMMAND_ENV = 'TRACEGATE_TOKEN_COMMAND';
const COMMAND_TIMEOUT_MS = 120_000;

export type TokenSetting =
  { ok: true; token: string | (() => Promise<string>) } | { ok: false; message: string };

export const FLAG_REFUSAL = `--token is not accepted: a token on the command line lands in your shell history
and in the process list, where other users of this machine can read it.
Set it in the environment instead:
  export ${TOKEN_ENV}=...                                   (a token)
  export ${TOKEN_COMMAND_ENV}='your-idp-cli print-token'   (a command that prints one)`;

/** The flags that would carry a token, refused before anything else is parsed. */
export function findTokenFlag(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    if (arg === '--') return undefined;
    const name = arg.split('=')[0];
    if (name === '--token' || name === '--access-token' || name === '--bearer-token') return name;
  }
  return undefined;
}

export function tokenFromEnvironment(env: NodeJS.ProcessEnv): TokenSetting {
  const direct = env[TOKEN_ENV]?.trim();
  const command = env[TOKEN_COMMAND_ENV]?.trim();
  if (direct && command) {
    return {
      ok: false,
      message: `both ${TOKEN_ENV} and ${TOKEN_COMMAND_ENV} are set; unset one so it is clear which identity is used`,
    };
  }
  if (direct) return { ok: true, token: direct };
  if (command) return { ok: true, token: () => runTokenCommand(command) };
  return {
    ok: false,
    message: `no token: set ${TOKEN_ENV}, or ${TOKEN_COMMAND_ENV} to a command that prints one
  (locally: export ${TOKEN_COMMAND_ENV}='node local-dev/idp/get-token.ts --user alice')`,
  };
}

/** Runs the token command; its stdout, trimmed, is the token. stderr passes through. */
export function runTokenCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['inherit', 'pipe', 'inherit'],
      timeout: COMMAND_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) =>
      reject(new Error(`${TOKEN_COMMAND_ENV} could not start: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code !== 0) {
        // Never quote stdout: a half-printed token must not reach the terminal.
        reject(
          new Error(
            `${TOKEN_COMMAND_ENV} ${signal === null ? `exited with ${String(code)}` : `was killed (${signal})`}`,
          ),
        );
        return;
      }
      const token = Buffer.concat(chunks).toString('utf8').trim();
      if (token === '') reject(new Error(`${TOKEN_COMMAND_ENV} printed nothing`));
      else resolve(token);
    });
  });
}
