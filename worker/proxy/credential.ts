// Injects the trace store's credential, which only the gateway holds.
//
// The credential is a Worker secret named in the configuration; a missing
// secret is a configuration error (fail closed), never an unauthenticated
// upstream request.
import type { UpstreamConfig } from '../config/schema.ts';
import { GatewayError } from '../http/errors.ts';

export function injectCredential(
  headers: Headers,
  upstream: UpstreamConfig,
  secrets: Record<string, unknown>,
): void {
  const credential = upstream.credential;
  if (credential === undefined) return;
  const value = secrets[credential.secret];
  if (typeof value !== 'string' || value === '') {
    throw new GatewayError('gateway_misconfigured', {
      cause: new Error(`secret ${credential.secret} is not set`),
    });
  }
  switch (credential.scheme) {
    case 'basic':
      headers.set(credential.header, `Basic ${btoa(value)}`);
      return;
    case 'bearer':
      headers.set(credential.header, `Bearer ${value}`);
      return;
    case 'raw':
      headers.set(credential.header, value);
      return;
  }
}
