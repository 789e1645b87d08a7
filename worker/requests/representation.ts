// The access request as the HTTP API shows it, with zod schemas for the
// request bodies, query strings and responses (exported: the OpenAPI
// document is generated from them).
//
// Times are RFC 3339 strings. Reviewer and requester are shown by issuer,
// subject and email; their groups are not (they are the IdP's business and
// may be numerous), and neither are the notification targets.
import { z } from 'zod';
import { PROSE_RULE, hasMisleadingProse } from '../http/typed-text.ts';
import type { AccessRequestView, Actor } from '../../durable-objects/access-request-contract.ts';
import { reviewUrl } from '../review/access-request-stub.ts';
import type { AccessRequestRow } from '../review/tables.ts';

export const MAX_REASON_CHARS = 1000;
/** 30 days: the largest grant TTL the configuration allows. */
export const MAX_GRANT_SECONDS = 30 * 86_400;

/** Text a person writes for others to read: a decision's or an acknowledgement's reason. */
export const reasonText = z
  .string()
  .trim()
  .min(1)
  .max(MAX_REASON_CHARS)
  .refine((text) => !hasMisleadingProse(text), { message: PROSE_RULE });

export const approveBodySchema = z.strictObject({
  /** Grant duration; capped by the rule's grantTtlSeconds. */
  grantSeconds: z.number().int().min(1).max(MAX_GRANT_SECONDS).optional(),
  reason: reasonText.optional(),
});
export const denyBodySchema = z.strictObject({ reason: reasonText });
export const cancelBodySchema = z.strictObject({});

export const accessRequestStatusSchema = z.enum([
  'pending',
  'approved',
  'denied',
  'expired',
  'cancelled',
]);

export const listQuerySchema = z.object({
  status: accessRequestStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const waitQuerySchema = z.object({
  /** Seconds to hold the call while the request is pending (capped by maxWaitSeconds). */
  wait: z.coerce.number().int().min(0).max(3600).optional(),
});

const personSchema = z.object({
  issuer: z.string(),
  subject: z.string(),
  email: z.string().nullable(),
});

/** The body of the 202 answer to a held read. */
export const accessRequestSummarySchema = z.object({
  id: z.string(),
  status: accessRequestStatusSchema,
  reviewUrl: z.url(),
  expiresAt: z.iso.datetime(),
  approvalsRequired: z.number().int(),
  approvals: z.number().int(),
});

export const accessRequestResourceSchema = accessRequestSummarySchema.extend({
  createdAt: z.iso.datetime(),
  requester: personSchema,
  namespace: z.string(),
  method: z.string(),
  path: z.string(),
  resourceId: z.string().nullable(),
  ruleId: z.string(),
  justification: z.string().nullable(),
  reviewerGroups: z.array(z.string()),
  decisions: z.array(
    z.object({
      reviewer: personSchema,
      decision: z.enum(['approve', 'deny']),
      reason: z.string().nullable(),
      at: z.iso.datetime(),
    }),
  ),
  grant: z
    .object({
      scope: z.enum(['request', 'trace', 'namespace']),
      method: z.string(),
      path: z.string(),
      resourceId: z.string().nullable(),
      expiresAt: z.iso.datetime(),
    })
    .nullable(),
  denyReason: z.string().nullable(),
});

export const accessRequestListItemSchema = accessRequestSummarySchema.extend({
  createdAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  requester: personSchema,
  namespace: z.string(),
  method: z.string(),
  path: z.string(),
  resourceId: z.string().nullable(),
  ruleId: z.string(),
});

export const accessRequestListSchema = z.object({ requests: z.array(accessRequestListItemSchema) });

export type AccessRequestSummary = z.infer<typeof accessRequestSummarySchema>;
export type AccessRequestResource = z.infer<typeof accessRequestResourceSchema>;
export type AccessRequestListItem = z.infer<typeof accessRequestListItemSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();
const person = (actor: Actor) => ({
  issuer: actor.issuer,
  subject: actor.subject,
  email: actor.email ?? null,
});

export function accessRequestSummary(view: AccessRequestView): AccessRequestSummary {
  return {
    id: view.id,
    status: view.status,
    reviewUrl: view.reviewUrl,
    expiresAt: iso(view.expiresAt),
    approvalsRequired: view.approvalsRequired,
    approvals: view.decisions.filter((d) => d.decision === 'approve').length,
  };
}

export function accessRequestResource(view: AccessRequestView): AccessRequestResource {
  return {
    ...accessRequestSummary(view),
    createdAt: iso(view.createdAt),
    requester: person(view.requester),
    namespace: view.namespace,
    method: view.method,
    path: view.path,
    resourceId: view.resourceId,
    ruleId: view.ruleId,
    justification: view.justification,
    reviewerGroups: view.reviewerGroups,
    decisions: view.decisions.map((d) => ({
      reviewer: person(d.reviewer),
      decision: d.decision,
      reason: d.reason,
      at: iso(d.at),
    })),
    grant:
      view.grant === null
        ? null
        : {
            scope: view.grant.scope,
            method: view.grant.method,
            path: view.grant.path,
            resourceId: view.grant.resourceId,
            expiresAt: iso(view.grant.expiresAt),
          },
    denyReason: view.denyReason,
  };
}

/** A row of the index as a list item; null for a row whose status this version does not know. */
export function accessRequestListItem(
  row: AccessRequestRow,
  publicUrl: string,
): AccessRequestListItem | null {
  const status = accessRequestStatusSchema.safeParse(row.status);
  if (!status.success) return null;
  return {
    id: row.id,
    status: status.data,
    reviewUrl: reviewUrl(publicUrl, row.id),
    expiresAt: iso(row.expiresAt),
    approvalsRequired: row.approvalsRequired,
    approvals: row.approvals,
    createdAt: iso(row.createdAt),
    decidedAt: row.decidedAt === null ? null : iso(row.decidedAt),
    requester: {
      issuer: row.requesterIssuer,
      subject: row.requesterSubject,
      email: row.requesterEmail,
    },
    namespace: row.namespace,
    method: row.method,
    path: row.path,
    resourceId: row.resourceId,
    ruleId: row.ruleId,
  };
}
