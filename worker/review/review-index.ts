// D1 reads and writes of the review index (tables.ts): the AccessRequest
// Durable Object writes rows after its transitions; the read path and the
// requests API query them.
//
// Writes are idempotent (upsert by id, insert-or-ignore for grants) because
// the object retries them until they succeed. Grant candidates are fetched
// by grantee and namespace and then filtered by grantCovers, so that one pure
// function, not two SQL spellings of it, decides what a grant opens.
import { and, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { grantCovers, type ReadScope } from './grant-scope.ts';
import { accessRequests, grants, type AccessRequestRow, type GrantRow } from './tables.ts';

export async function writeIndexRow(db: D1Database, row: AccessRequestRow): Promise<void> {
  // Only these change after creation; the rest of a row is fixed at create.
  const { status, approvals, decidedAt, expiresAt } = row;
  await drizzle(db).insert(accessRequests).values(row).onConflictDoUpdate({
    target: accessRequests.id,
    set: { status, approvals, decidedAt, expiresAt },
  });
}

export async function writeGrant(db: D1Database, row: GrantRow): Promise<void> {
  await drizzle(db).insert(grants).values(row).onConflictDoNothing();
}

/** The active grant that covers this read, if any (the one that lasts longest). */
export async function findActiveGrant(
  db: D1Database,
  read: ReadScope,
  now: number,
): Promise<GrantRow | null> {
  const candidates = await drizzle(db)
    .select()
    .from(grants)
    .where(
      and(
        eq(grants.granteeIssuer, read.issuer),
        eq(grants.granteeSubject, read.subject),
        eq(grants.namespace, read.namespace),
        eq(grants.ruleId, read.ruleId),
        gt(grants.expiresAt, now),
      ),
    )
    .orderBy(desc(grants.expiresAt))
    .limit(50);
  return candidates.find((grant) => grantCovers(grant, read, now)) ?? null;
}

/**
 * The requester's latest request for this scope that still speaks for it: a
 * pending one (reused rather than asking reviewers twice), or a denied one
 * until its pending deadline (so a retried read learns of the deny instead
 * of opening a new request at once).
 */
export async function findCurrentRequest(
  db: D1Database,
  requester: { issuer: string; subject: string },
  key: string,
  now: number,
): Promise<AccessRequestRow | null> {
  const [row] = await drizzle(db)
    .select()
    .from(accessRequests)
    .where(
      and(
        ofRequesterScope(requester, key),
        inArray(accessRequests.status, ['pending', 'denied']),
        gt(accessRequests.expiresAt, now),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(1);
  return row ?? null;
}

/** The index rows of one requester's requests. */
function ofRequester(requester: { issuer: string; subject: string }) {
  return and(
    eq(accessRequests.requesterIssuer, requester.issuer),
    eq(accessRequests.requesterSubject, requester.subject),
  );
}

/** The index rows of one requester's requests for one scope. */
function ofRequesterScope(requester: { issuer: string; subject: string }, key: string) {
  return and(ofRequester(requester), eq(accessRequests.scopeKey, key));
}

async function countWhere(db: D1Database, where: SQL | undefined): Promise<number> {
  const [row] = await drizzle(db)
    .select({ n: sql<number>`count(*)` })
    .from(accessRequests)
    .where(where);
  return row?.n ?? 0;
}

/** How many requests the requester has opened for this scope (as far as the index knows). */
export function countRequests(
  db: D1Database,
  requester: { issuer: string; subject: string },
  key: string,
): Promise<number> {
  return countWhere(db, ofRequesterScope(requester, key));
}

/** How many of the requester's requests are pending now (as far as the index knows). */
export function countPendingRequests(
  db: D1Database,
  requester: { issuer: string; subject: string },
  now: number,
): Promise<number> {
  return countWhere(
    db,
    and(
      ofRequester(requester),
      eq(accessRequests.status, 'pending'),
      gt(accessRequests.expiresAt, now),
    ),
  );
}

export interface ListQuery {
  caller: { issuer: string; subject: string; groups: string[] };
  /** Auditors see every request. */
  auditor: boolean;
  status: AccessRequestRow['status'] | undefined;
  limit: number;
}

/** The caller's own requests, plus those they may review (or all, for auditors), newest first. */
export async function listRequests(db: D1Database, query: ListQuery): Promise<AccessRequestRow[]> {
  const { caller } = query;
  const own = and(
    eq(accessRequests.requesterIssuer, caller.issuer),
    eq(accessRequests.requesterSubject, caller.subject),
  );
  let visible: SQL | undefined = own;
  if (query.auditor) visible = undefined;
  else if (caller.groups.length > 0) {
    const groups = sql.join(
      caller.groups.map((g) => sql`${g}`),
      sql`, `,
    );
    visible = or(
      own,
      sql`exists (select 1 from json_each(${accessRequests.reviewerGroups}) where value in (${groups}))`,
    );
  }
  return drizzle(db)
    .select()
    .from(accessRequests)
    .where(
      and(
        visible,
        query.status === undefined ? undefined : eq(accessRequests.status, query.status),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(query.limit);
}
