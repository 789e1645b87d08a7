// What a caller is told when the AccessRequest object refuses a decision or a
// cancel: one exhaustive mapping from the object's refusal to a GatewayError,
// shared by every route that decides.
import type {
  AccessRequestView,
  DecideRefusal,
} from '../../durable-objects/access-request-contract.ts';
import { GatewayError } from '../http/errors.ts';

/** A request that is no longer pending: 410 if it ended by time or by its requester, else 409. */
function notPendingError(view: AccessRequestView): GatewayError {
  const extensions = { accessRequestId: view.id, status: view.status };
  switch (view.status) {
    case 'expired':
      return new GatewayError('review_expired', { extensions });
    case 'cancelled':
      return new GatewayError('review_cancelled', { extensions });
    case 'approved':
    case 'denied':
    case 'pending':
      return new GatewayError('review_conflict', {
        publicDetail: `The access request is already ${view.status}.`,
        extensions,
      });
  }
}

export function decideRefusalError(reason: DecideRefusal, view: AccessRequestView): GatewayError {
  switch (reason) {
    case 'self_approval':
      return new GatewayError('self_approval');
    case 'not_a_reviewer':
      return new GatewayError('not_a_reviewer');
    case 'reason_required':
      return new GatewayError('bad_request', { publicDetail: 'A deny needs a reason.' });
    case 'already_decided_by_reviewer':
      return new GatewayError('review_conflict', {
        publicDetail: 'You already decided this request; a reviewer decides once.',
        extensions: { accessRequestId: view.id, status: view.status },
      });
    case 'not_pending':
      return notPendingError(view);
  }
}

export function cancelRefusalError(
  reason: 'not_pending' | 'not_requester',
  view: AccessRequestView,
): GatewayError {
  switch (reason) {
    case 'not_requester':
      return new GatewayError('access_denied', {
        publicDetail: 'Only the requester can cancel an access request.',
      });
    case 'not_pending':
      return notPendingError(view);
  }
}
