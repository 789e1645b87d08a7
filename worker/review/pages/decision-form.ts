// Parses the decision form (application/x-www-form-urlencoded) into a
// decision, or a reason it is not one. Pure: the route does the CSRF and
// session checks before, and the Durable Object the reviewer checks after.
import { PROSE_RULE, hasMisleadingProse } from '../../http/typed-text.ts';
import { MAX_REASON_CHARS } from '../../requests/representation.ts';

/** The Durable Object keeps at most this much (MAX_REASON_CHARS); longer is refused, not cut. */
export const MAX_REASON_LENGTH = MAX_REASON_CHARS;

export type DecisionForm =
  | { action: 'approve'; grantSeconds: number; reason: string | null }
  | { action: 'deny'; reason: string };

export type DecisionFormResult =
  | { ok: true; decision: DecisionForm }
  | {
      ok: false;
      reason: 'bad_action' | 'bad_grant' | 'reason_required' | 'reason_too_long' | 'reason_invalid';
    };

export function parseDecisionForm(
  form: Record<string, unknown>,
  isOfferedGrant: (seconds: number) => boolean,
): DecisionFormResult {
  const action = form['action'];
  const rawReason = typeof form['reason'] === 'string' ? form['reason'].trim() : '';
  if (rawReason.length > MAX_REASON_LENGTH) return { ok: false, reason: 'reason_too_long' };
  if (hasMisleadingProse(rawReason)) return { ok: false, reason: 'reason_invalid' };
  if (action === 'deny') {
    if (rawReason === '') return { ok: false, reason: 'reason_required' };
    return { ok: true, decision: { action: 'deny', reason: rawReason } };
  }
  if (action !== 'approve') return { ok: false, reason: 'bad_action' };
  const grant = form['grantSeconds'];
  if (typeof grant !== 'string' || !/^[1-9][0-9]{0,7}$/.test(grant)) {
    return { ok: false, reason: 'bad_grant' };
  }
  const grantSeconds = Number(grant);
  if (!isOfferedGrant(grantSeconds)) return { ok: false, reason: 'bad_grant' };
  return {
    ok: true,
    decision: { action: 'approve', grantSeconds, reason: rawReason === '' ? null : rawReason },
  };
}

/** What the reviewer is told when the form is refused. */
export function decisionFormMessage(
  reason: Extract<DecisionFormResult, { ok: false }>['reason'],
): string {
  switch (reason) {
    case 'bad_action':
      return 'Choose Approve or Deny.';
    case 'bad_grant':
      return 'Choose one of the offered grant durations.';
    case 'reason_required':
      return 'A denial needs a reason: the requester sees it.';
    case 'reason_too_long':
      return `The reason is limited to ${MAX_REASON_LENGTH} characters.`;
    case 'reason_invalid':
      return `The reason must hold ${PROSE_RULE}`;
  }
}
