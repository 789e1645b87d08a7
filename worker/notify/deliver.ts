// One delivery attempt of one notification to one target, and the retry
// schedule around it.
//
// A webhook is signed per the Standard Webhooks spec with the maintained
// `standardwebhooks` library (pure JS HMAC-SHA256, runs in workerd): the
// `webhook-id` stays the same across retries so receivers can deduplicate,
// the timestamp and signature are made fresh for each attempt. Redirects are
// not followed (a 3xx is a failure): a receiver must answer at the configured
// URL. What goes to the audit on failure names the target's origin only,
// never its full URL, because a Slack incoming-webhook URL is a credential.
import { Webhook } from 'standardwebhooks';
import type { NotifyTarget } from '../config/schema.ts';

/** Attempts before a notification is given up and `notify_failed` is audited. */
export const MAX_DELIVERY_ATTEMPTS = 5;
const FIRST_RETRY_DELAY_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 10_000;

/** Delay before attempt `failedAttempts + 1`: 10 s, 20 s, 40 s, 80 s. */
export function retryDelayMs(failedAttempts: number): number {
  return FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1);
}

export interface PendingNotification {
  target: NotifyTarget;
  /** Stable across retries: the Standard Webhooks `webhook-id`. */
  messageId: string;
  /** The JSON body, built once by the message builders. */
  body: string;
}

export type DeliveryResult =
  | { ok: true; status: number }
  /** `permanent`: retrying cannot help (e.g. the signing secret is not set). */
  | { ok: false; permanent: boolean; reason: string };

/** The part of a target that may be logged and audited. */
export function describeTarget(target: NotifyTarget): string {
  let origin: string;
  try {
    origin = new URL(target.url).origin;
  } catch {
    origin = '(invalid url)';
  }
  return `${target.kind} ${origin}`;
}

export function signingHeaders(
  secret: string,
  messageId: string,
  at: Date,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}

export async function deliverNotification(
  notification: PendingNotification,
  options: { secrets: Record<string, unknown>; now: number; fetch?: typeof fetch },
): Promise<DeliveryResult> {
  const { target, messageId, body } = notification;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Tracegate-Notify/1',
  };
  if (target.kind === 'webhook') {
    const secret = options.secrets[target.secret];
    if (typeof secret !== 'string' || !secret.startsWith('whsec_')) {
      return {
        ok: false,
        permanent: true,
        reason: `signing secret ${target.secret} is not set or not a whsec_ secret`,
      };
    }
    try {
      Object.assign(headers, signingHeaders(secret, messageId, new Date(options.now), body));
    } catch (error) {
      return {
        ok: false,
        permanent: true,
        reason: `signing secret ${target.secret} is unusable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  try {
    const response = await (options.fetch ?? fetch)(target.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300)
      return { ok: true, status: response.status };
    return { ok: false, permanent: false, reason: `HTTP ${response.status}` };
  } catch (error) {
    return {
      ok: false,
      permanent: false,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
