// What the signed-in person is to a request, which decides what the page shows.
//
// Only for display: the Durable Object makes the binding decision on POST
// (reviewer group, not the requester, once per person). The requester is
// recognised by issuer + subject, never by email: email must not show anyone
// a request. (The Durable Object also refuses a decision from someone with
// the requester's email; such a reviewer sees the form and gets that refusal.)
// Someone who is neither a reviewer, the requester nor an auditor sees
// nothing of the request.
import type { AccessRequestView } from '../../../durable-objects/access-request-contract.ts';
import { principalKey } from '../../identity/principal.ts';
import type { SessionPrincipal } from '../../session/review-session.ts';

export type ViewerRole =
  | { kind: 'requester' }
  | { kind: 'reviewer'; canDecide: boolean; ownDecision: 'approve' | 'deny' | undefined }
  | { kind: 'auditor' }
  | { kind: 'outsider' };

export function viewerRole(
  viewer: SessionPrincipal,
  request: AccessRequestView,
  auditorGroups: string[],
): ViewerRole {
  const viewerKey = principalKey(viewer);
  if (viewerKey === principalKey(request.requester)) return { kind: 'requester' };
  if (viewer.groups.some((group) => request.reviewerGroups.includes(group))) {
    const own = request.decisions.find((d) => principalKey(d.reviewer) === viewerKey);
    return {
      kind: 'reviewer',
      canDecide: request.status === 'pending' && own === undefined,
      ownDecision: own?.decision,
    };
  }
  if (viewer.groups.some((group) => auditorGroups.includes(group))) return { kind: 'auditor' };
  return { kind: 'outsider' };
}
