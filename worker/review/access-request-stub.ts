// From a request id in a URL to the AccessRequest Durable Object's stub.
//
// An id is the object's id string (64 hex digits, named by a keyed HMAC or
// from `newUniqueId`, so it cannot be guessed: request-slot.ts). `idFromString` throws on a malformed id or one minted
// for another namespace; both are "no such request" (a 404), never a 500, and
// are decided before any object is addressed.
import type { AccessRequestRpc } from '../../durable-objects/access-request-contract.ts';

export type AccessRequestNamespace = Env['ACCESS_REQUESTS'];

const OBJECT_ID = /^[0-9a-f]{64}$/;

export function accessRequestStub(
  namespace: AccessRequestNamespace,
  id: string,
): AccessRequestRpc | null {
  if (!OBJECT_ID.test(id)) return null;
  try {
    return namespace.get(namespace.idFromString(id));
  } catch {
    return null;
  }
}

/** `${publicUrl}/review/{id}`: the link reviewers are sent (publicUrl: session/public-origin.ts). */
export function reviewUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/review/${id}`;
}
