// The review pages' view of the AccessRequest Durable Object, through its RPC
// contract (durable-objects/access-request-contract.ts).
//
// A request id is the Durable Object id string. `idFromString` throws on a
// malformed id (or one minted by another namespace); that is a 404, decided
// before any object is addressed. `view()` answers null for an id that was
// never created, which is a 404 too; `decide` is only called after a view.
import type {
  AccessRequestView,
  Actor,
  DecideOptions,
  DecideResult,
} from '../../../durable-objects/access-request-contract.ts';

export interface AccessRequestClient {
  /** The request, or undefined when the id is not one of ours. Records no decision. */
  view(id: string): Promise<AccessRequestView | undefined>;
  decide(
    id: string,
    reviewer: Actor,
    decision: 'approve' | 'deny',
    options: DecideOptions,
  ): Promise<DecideResult | undefined>;
}

/** A syntactically possible id: 64 hex digits. Checked before `idFromString`. */
const DO_ID = /^[0-9a-f]{64}$/;

export function accessRequestClient(namespace: Env['ACCESS_REQUESTS']): AccessRequestClient {
  const stubFor = (id: string) => {
    if (!DO_ID.test(id)) return undefined;
    try {
      return namespace.get(namespace.idFromString(id));
    } catch {
      return undefined;
    }
  };
  return {
    async view(id) {
      const view = await stubFor(id)?.view();
      return view ?? undefined;
    },
    async decide(id, reviewer, decision, options) {
      return stubFor(id)?.decide(reviewer, decision, options);
    },
  };
}
