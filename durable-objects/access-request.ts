// One Durable Object per access request that needs a human review.
// The state machine, waiters and expiry alarm arrive with the review feature;
// until then the class only exists so the binding and its migration are stable.
import { DurableObject } from 'cloudflare:workers';

export class AccessRequest extends DurableObject<Env> {}
