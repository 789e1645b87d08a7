// Which access request object a read that needs a new request opens.
//
// Two reads of the same scope by the same requester that arrive together
// (parallel calls from an agent, a retry racing the first attempt) must not
// open two requests and notify reviewers twice. The review index cannot
// prevent that alone: the object writes its index row after it is created,
// so both reads find no current request. Instead, a requester's requests
// for one scope are numbered, and request number n lives in the object named
// HMAC(key, [issuer, subject, scope key, n]): racers compute the same name,
// meet in the same object, and the second `create` finds the first's state.
//
// The index says how many requests exist. The search starts one below that
// count (a racer's index row may have landed between this read's lookup of
// the current request and its count) and steps past objects already decided. The name is keyed with a secret derived from
// SESSION_SECRET, so request ids stay unguessable; without that secret the
// gateway falls back to a random id (and loses only the de-duplication).
import type {
  AccessRequestInit,
  AccessRequestRpc,
  AccessRequestView,
} from '../../durable-objects/access-request-contract.ts';
import type { AccessRequestNamespace } from './access-request-stub.ts';

/** Objects stepped past before giving up on the numbering (then: a random id). */
const MAX_PROBES = 8;

export interface SlotSearch {
  accessRequests: AccessRequestNamespace;
  /** The naming key, or null when SESSION_SECRET is not set. */
  key: CryptoKey | null;
  requester: { issuer: string; subject: string };
  scopeKey: string;
  /** Requests the index knows of for this requester and scope. */
  known: number;
  /** An existing object that still speaks for the scope ends the search. */
  isCurrent: (view: AccessRequestView) => boolean;
  /** The state of a new request, given its id. */
  init: (id: string) => AccessRequestInit;
}

export interface OpenedRequest {
  stub: AccessRequestRpc;
  view: AccessRequestView;
  /** True when this read created it (false: it joined one already there). */
  created: boolean;
}

export async function openRequest(search: SlotSearch): Promise<OpenedRequest> {
  const { accessRequests: ns, key } = search;
  if (key !== null) {
    const from = Math.max(0, search.known - 1);
    for (let n = from; n < from + MAX_PROBES; n++) {
      const id = ns.idFromName(await slotName(key, search, n));
      const stub = ns.get(id);
      const existing = await stub.view();
      if (existing !== null) {
        if (search.isCurrent(existing)) return { stub, view: existing, created: false };
        continue;
      }
      const view = await stub.create(search.init(id.toString()));
      if (view !== null) return { stub, view, created: true };
      // Another read created it between our view and our create: join it.
      const raced = await stub.view();
      if (raced !== null && search.isCurrent(raced)) return { stub, view: raced, created: false };
    }
  }
  const id = ns.newUniqueId();
  const stub = ns.get(id);
  const view = await stub.create(search.init(id.toString()));
  if (view === null) throw new Error('a new unique access request id already held a request');
  return { stub, view, created: true };
}

async function slotName(key: CryptoKey, search: SlotSearch, n: number): Promise<string> {
  const data = JSON.stringify([
    search.requester.issuer,
    search.requester.subject,
    search.scopeKey,
    n,
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
}
