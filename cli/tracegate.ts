#!/usr/bin/env node
// tracegate: the command line for Tracegate, on the SDK (sdk/).
//
// Runs with Node 22's type stripping (`node cli/tracegate.ts`). Errors print
// the gateway's problem as `title: detail (code, requestId)`, never a stack
// trace, and map to the documented exit codes (cli/exit-codes.ts). The token
// comes from the environment only (cli/token.ts).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TracegateError, TracegateNetworkError } from '../sdk/index.ts';
import { auditCommand, AUDIT_HELP } from './commands/audit.ts';
import {
  approveCommand,
  APPROVE_HELP,
  cancelCommand,
  CANCEL_HELP,
  denyCommand,
  DENY_HELP,
} from './commands/decide.ts';
import { getCommand, GET_HELP } from './commands/get.ts';
import { requestsCommand, REQUESTS_HELP } from './commands/requests.ts';
import {
  CLI_VERSION,
  createContext,
  DEFAULT_GATEWAY_URL,
  gatewayUrl,
  Interrupted,
  TokenSetupError,
  UsageError,
  type CliContext,
} from './context.ts';
import { DownloadBroken } from './download.ts';
import { EXIT, EXIT_CODE_HELP, exitCodeFor, type ExitCode } from './exit-codes.ts';
import { printable } from './format.ts';
import { FLAG_REFUSAL, findTokenFlag, TOKEN_COMMAND_ENV, TOKEN_ENV } from './token.ts';

type Command = (argv: readonly string[], context: CliContext) => Promise<ExitCode>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  get: { run: getCommand, help: GET_HELP },
  requests: { run: requestsCommand, help: REQUESTS_HELP },
  approve: { run: approveCommand, help: APPROVE_HELP },
  deny: { run: denyCommand, help: DENY_HELP },
  cancel: { run: cancelCommand, help: CANCEL_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
};

export const MAIN_HELP = `Usage: tracegate <command> [options]

Reads LLM traces through a Tracegate gateway, and reviews access to them.

Commands:
  get <namespace> <trace-id> --reason "..."   read a trace, waiting for review if needed
  requests [--status pending]                 list access requests
  approve <id> [--for 1h] [--reason "..."]    approve a request (reviewers)
  deny <id> --reason "..."                    deny a request (reviewers)
  cancel <id>                                 withdraw your own pending request
  audit [--from --to --namespace --actor]     query or export the audit log (auditors)

Run 'tracegate <command> --help' for a command's options.

Environment:
  TRACEGATE_URL            the gateway (default ${DEFAULT_GATEWAY_URL})
  ${TOKEN_ENV}          a bearer token (OIDC access token)
  ${TOKEN_COMMAND_ENV}  a command that prints one, run by /bin/sh before
                           each request, e.g.
                           'node local-dev/idp/get-token.ts --user alice'
Tokens are never accepted as flags: they would land in shell history.

${EXIT_CODE_HELP}`;

export async function main(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  const tokenFlag = findTokenFlag(argv);
  if (tokenFlag !== undefined) {
    context.stderr.write(`tracegate: ${FLAG_REFUSAL.replace('--token', tokenFlag)}\n`);
    return EXIT.usage;
  }
  const [name, ...rest] = argv;
  if (name === undefined) {
    context.stderr.write(`${MAIN_HELP}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') {
    context.stdout.write(`${MAIN_HELP}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    context.stdout.write(`${topic?.help ?? MAIN_HELP}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    context.stdout.write(`tracegate ${CLI_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}"`);
    return await command.run(rest, context);
  } catch (error) {
    return report(error, context, name);
  }
}

/** Prints one clear message for any failure and returns its exit code. */
function report(error: unknown, context: CliContext, command: string): ExitCode {
  const say = (text: string): void => {
    context.stderr.write(`tracegate: ${printable(text)}\n`);
  };
  if (error instanceof UsageError) {
    say(error.message);
    say(
      `run 'tracegate ${error.command === undefined ? '' : `${error.command} `}--help' for usage`,
    );
    return EXIT.usage;
  }
  if (error instanceof TokenSetupError) {
    say(error.message);
    return EXIT.auth;
  }
  if (error instanceof Interrupted || (context.signal.aborted && context.signal.reason === error)) {
    say('interrupted');
    return EXIT.interrupted;
  }
  if (error instanceof DownloadBroken) {
    say(
      `${error.message}; the trace is incomplete${command === 'get' ? ' (an -o file is not written)' : ''}`,
    );
    return EXIT.network;
  }
  if (error instanceof TracegateError) {
    say(error.message);
    const code = exitCodeFor(error);
    if (error.code === 'token_unavailable' && error.cause instanceof Error)
      say(error.cause.message);
    if (code === EXIT.auth && error.code !== 'token_unavailable') {
      say(
        `the gateway did not accept the token from ${context.env[TOKEN_COMMAND_ENV] ? TOKEN_COMMAND_ENV : TOKEN_ENV}; is it current and for this gateway?`,
      );
    }
    if (error instanceof TracegateNetworkError)
      say(`is the gateway running at ${gatewayUrl(context.env)}? (TRACEGATE_URL)`);
    return code;
  }
  if (isBrokenPipe(error)) return EXIT.ok;
  // A bug or an unexpected failure: the message, not the stack (TRACEGATE_DEBUG=1 shows it).
  say(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (context.env.TRACEGATE_DEBUG === '1' && error instanceof Error && error.stack !== undefined) {
    context.stderr.write(`${error.stack}\n`);
  }
  return EXIT.usage;
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'EPIPE';
}

function runFromShell(): void {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    // A second Ctrl-C leaves at once.
    if (interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Interrupted());
  });
  // `tracegate get … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    process.stderr.write(`tracegate: cannot write the output: ${error.message}\n`);
    process.exit(EXIT.usage);
  });
  const context = createContext(process.env, process.stdout, process.stderr, controller.signal);
  main(process.argv.slice(2), context).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `tracegate: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = EXIT.usage;
    },
  );
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) runFromShell();
