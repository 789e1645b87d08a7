// D1 tables of the review flow (drizzle-orm): an index of access requests and
// the grants they produced. drizzle-kit generates their migration into
// migrations/ (drizzle.config.ts lists this file next to the audit schema).
//
// The AccessRequest Durable Object is the source of truth for a request; it
// writes these rows after each transition. They exist because a Durable
// Object can only be asked about itself: listing requests, finding the
// caller's pending request for the same scope, and finding an active grant on
// every read need a query across requests. A row may lag the object briefly
// (the object retries the write), so decisions are always made by the object;
// only grant lookups trust this table, and a grant row is written before the
// object reports the approval to anyone.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const accessRequests = sqliteTable(
  'access_requests',
  {
    /** The Durable Object id (64 hex characters). */
    id: text('id').primaryKey(),
    requesterIssuer: text('requester_issuer').notNull(),
    requesterSubject: text('requester_subject').notNull(),
    requesterEmail: text('requester_email'),
    namespace: text('namespace').notNull(),
    method: text('method').notNull(),
    /** Path below the namespace prefix. */
    path: text('path').notNull(),
    resourceId: text('resource_id'),
    ruleId: text('rule_id').notNull(),
    /** request | trace | namespace (after narrowing, see effectiveScope). */
    grantScope: text('grant_scope').notNull(),
    /** Requests for the same scope share this key; a pending one is reused. */
    scopeKey: text('scope_key').notNull(),
    /** JSON array: the groups whose members may review this request. */
    reviewerGroups: text('reviewer_groups').notNull(),
    approvalsRequired: integer('approvals_required').notNull(),
    approvals: integer('approvals').notNull().default(0),
    /** pending | approved | denied | expired | cancelled */
    status: text('status').notNull(),
    /** Milliseconds since the epoch, as every time here. */
    createdAt: integer('created_at').notNull(),
    /** The pending deadline. */
    expiresAt: integer('expires_at').notNull(),
    decidedAt: integer('decided_at'),
  },
  (t) => [
    index('access_requests_requester_scope').on(
      t.requesterIssuer,
      t.requesterSubject,
      t.scopeKey,
      t.createdAt,
    ),
    index('access_requests_status_created').on(t.status, t.createdAt),
  ],
);

export const grants = sqliteTable(
  'grants',
  {
    /** One grant per approved request. */
    accessRequestId: text('access_request_id').primaryKey(),
    granteeIssuer: text('grantee_issuer').notNull(),
    granteeSubject: text('grantee_subject').notNull(),
    namespace: text('namespace').notNull(),
    /** The rule that required the review: a grant opens reads only that rule sends to review. */
    ruleId: text('rule_id').notNull(),
    /** request | trace | namespace */
    scope: text('scope').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    resourceId: text('resource_id'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    index('grants_grantee_namespace').on(
      t.granteeIssuer,
      t.granteeSubject,
      t.namespace,
      t.expiresAt,
    ),
  ],
);

export type AccessRequestRow = typeof accessRequests.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;
