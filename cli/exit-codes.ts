// The CLI's exit codes (documented in `tracegate --help` and cli/README.md),
// and the one mapping from an error to its code.
import { TracegateError, TracegateNetworkError, TracegateTimeoutError } from '../sdk/index.ts';

export const EXIT = {
  ok: 0,
  usage: 1,
  auth: 2,
  denied: 3,
  reviewEnded: 4,
  timeout: 5,
  gateway: 6,
  network: 7,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  usage error, a request the gateway refuses as malformed (400, 404, 409),
     or too many of your access requests pending (429)
  2  authentication: no token, or the gateway rejected it (401)
  3  denied or blocked: by policy or by a reviewer (403)
  4  the review expired or was cancelled (410)
  5  timeout: --timeout passed while the review was pending (resume with --resume <id>)
  6  gateway or trace store error (5xx), or an answer the CLI does not understand
  7  network: the gateway could not be reached or the connection broke
  130 interrupted (Ctrl-C); a pending request stays pending and can be resumed`;

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof TracegateTimeoutError) return EXIT.timeout;
  if (error instanceof TracegateNetworkError) return EXIT.network;
  if (!(error instanceof TracegateError)) return EXIT.usage;
  if (error.code === 'token_unavailable') return EXIT.auth;
  if (error.code === 'unexpected_response') return EXIT.gateway;
  const status = error.status ?? 0;
  if (status === 401) return EXIT.auth;
  if (status === 403) return EXIT.denied;
  if (status === 410) return EXIT.reviewEnded;
  if (status >= 500) return EXIT.gateway;
  return EXIT.usage;
}
