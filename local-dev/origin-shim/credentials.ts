// The origin shim's own credentials, which only the gateway should hold: the
// Langfuse public API takes HTTP Basic `public-key:secret-key`, the other
// routes a bearer token. Dev-only values. The check never logs what was sent.
import { timingSafeEqual } from 'node:crypto';

export const langfuseCredential = 'pk-lf-local:sk-lf-local';
export const originBearerToken = 'origin-local-token';

export type CredentialScheme = 'basic' | 'bearer';

export interface ShimCredentials {
  /** `public-key:secret-key` for HTTP Basic on /api/public/*. */
  basic: string;
  /** Bearer token for every other route except /healthz. */
  bearer: string;
}

export const defaultShimCredentials: ShimCredentials = {
  basic: langfuseCredential,
  bearer: originBearerToken,
};

/** Which credential a path needs: Langfuse's public API is Basic, the rest Bearer. */
export function schemeForPath(pathname: string): CredentialScheme {
  return pathname.startsWith('/api/public/') || pathname === '/api/public' ? 'basic' : 'bearer';
}

/** True when the Authorization header carries exactly the expected credential. */
export function hasCredential(
  authorization: string | undefined,
  scheme: CredentialScheme,
  credentials: ShimCredentials,
): boolean {
  if (authorization === undefined) return false;
  const match = /^(\S+) +(\S+)$/.exec(authorization.trim());
  if (match === null) return false;
  const [, given, value = ''] = match;
  if (given?.toLowerCase() !== scheme) return false;
  const expected =
    scheme === 'basic' ? Buffer.from(credentials.basic).toString('base64') : credentials.bearer;
  return constantTimeEqual(value, expected);
}

export function wwwAuthenticate(scheme: CredentialScheme): string {
  return scheme === 'basic' ? 'Basic realm="langfuse"' : 'Bearer realm="origin-shim"';
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
