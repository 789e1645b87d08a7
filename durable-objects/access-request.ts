// One Durable Object per access request that needs a human review: the
// request's state machine, its waiters, its outbox and its single alarm.
//
// Each RPC method reads the state, computes the next one with the pure state
// machine (access-request-state.ts) and stores it together with its outbox
// items (audit rows, index and grant rows, notifications) in one synchronous
// SQLite transaction, with no await in between: concurrent calls cannot
// interleave inside a transition. The outbox is then flushed to D1 before
// anyone waiting is woken, so the approval is in the audit and the grant is
// in D1 before a held read is served. A D1 or webhook failure never loses
// anything: the item stays in the outbox and the alarm retries it.
//
// The one alarm serves two clocks: the pending deadline and the earliest
// outbox retry; it is set to whichever comes first. Waiters are in-memory
// promises: a caller that goes away only leaves a timer behind, and the
// request stays pending. Storage layout: worker/review/STORAGE.md.
import { DurableObject } from 'cloudflare:workers';
import { createD1AuditLog } from '../worker/audit/audit-log.ts';
import {
  MAX_DELIVERY_ATTEMPTS,
  deliverNotification,
  describeTarget,
  retryDelayMs,
} from '../worker/notify/deliver.ts';
import { writeGrant, writeIndexRow } from '../worker/review/review-index.ts';
import {
  MAX_WAITERS,
  type AccessRequestInit,
  type AccessRequestRpc,
  type AccessRequestView,
  type Actor,
  type CancelResult,
  type DecideOptions,
  type DecideResult,
  type WaitResult,
} from './access-request-contract.ts';
import { effectsOf, type OutboxItem } from './access-request-effects.ts';
import {
  cancel as cancelStep,
  createState,
  decide as decideStep,
  settle,
  toView,
  type AccessRequestState,
  type Step,
} from './access-request-state.ts';

/** Longest a single waitForDecision call holds. */
export const MAX_WAIT_MS = 300_000;
/** A failing D1 write is retried with backoff up to this delay, and never dropped. */
const MAX_DATABASE_RETRY_MS = 300_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS access_request (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  state TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  item TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT
);`;

/**
 * A short reason for logs and the outbox: the innermost cause's message (a
 * drizzle error's own message repeats the query and its parameters, which
 * carry requester identities), bounded.
 */
function briefly(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  return (inner instanceof Error ? inner.message : String(inner)).slice(0, 300);
}

type OutboxRow = { seq: number; kind: string; item: string; attempts: number; next_at: number };

export class AccessRequest extends DurableObject<Env> implements AccessRequestRpc {
  private readonly waiters = new Set<() => void>();
  private flushing: Promise<void> = Promise.resolve();
  private schemaReady = false;

  async create(init: AccessRequestInit): Promise<AccessRequestView | null> {
    const existing = this.load();
    if (existing !== null) {
      if (existing.init.requestId !== init.requestId) return null; // another read's
      return toView(await this.settled(existing));
    }
    this.ensureSchema();
    const step = createState(this.ctx.id.toString(), init, Date.now());
    await this.commit(step, init.requestId);
    return toView(step.state);
  }

  async view(): Promise<AccessRequestView | null> {
    const state = this.load();
    return state === null ? null : toView(await this.settled(state));
  }

  async decide(
    reviewer: Actor,
    decision: 'approve' | 'deny',
    options: DecideOptions,
  ): Promise<DecideResult> {
    const state = this.require();
    const step = decideStep(state, reviewer, decision, options, Date.now());
    await this.commit(step, options.requestId ?? state.init.requestId);
    const view = toView(step.state);
    return step.ok ? { ok: true, view } : { ok: false, reason: step.reason, view };
  }

  async cancel(requester: Actor, options: { requestId?: string } = {}): Promise<CancelResult> {
    const state = this.require();
    const step = cancelStep(state, requester, Date.now());
    await this.commit(step, options.requestId ?? state.init.requestId);
    const view = toView(step.state);
    return step.ok ? { ok: true, view } : { ok: false, reason: step.reason, view };
  }

  async waitForDecision(ms: number): Promise<WaitResult> {
    const state = await this.settled(this.require());
    if (state.status !== 'pending') return { view: toView(state), tooManyWaiters: false };
    if (this.waiters.size >= MAX_WAITERS) return { view: toView(state), tooManyWaiters: true };
    const requested = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_WAIT_MS) : 0;
    // Never past the deadline: the waiter wakes to report the expiry even if
    // the alarm is late.
    const bounded = Math.min(requested, Math.max(0, state.expiresAt - Date.now()));
    if (bounded > 0) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, bounded);
        this.waiters.add(wake);
      });
    }
    return { view: toView(await this.settled(this.require())), tooManyWaiters: false };
  }

  override async alarm(): Promise<void> {
    const state = this.load();
    if (state !== null) await this.settled(state);
    try {
      await this.flush(true);
    } catch (error) {
      console.error(
        `access request ${this.ctx.id.toString()}: outbox flush failed: ${briefly(error)}`,
      );
    }
    await this.scheduleAlarm(this.load());
  }

  // --- state -----------------------------------------------------------------

  private ensureSchema(): void {
    if (this.schemaReady) return;
    this.ctx.storage.sql.exec(SCHEMA);
    this.schemaReady = true;
  }

  /** The stored state, or null if this id was never created (nothing is written then). */
  private load(): AccessRequestState | null {
    if (!this.schemaReady) {
      const found = this.ctx.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'access_request'")
        .toArray();
      if (found.length === 0) return null;
      this.schemaReady = true;
    }
    const row = this.ctx.storage.sql
      .exec<{ state: string }>('SELECT state FROM access_request WHERE singleton = 1')
      .toArray()[0];
    if (row === undefined) return null;
    const state = JSON.parse(row.state) as AccessRequestState;
    // A state stored before `requestPath` existed: its rows keep the path it has.
    if (typeof Reflect.get(state.init, 'requestPath') !== 'string') {
      state.init.requestPath = state.init.path;
    }
    return state;
  }

  private require(): AccessRequestState {
    const state = this.load();
    if (state === null) throw new Error('access request not found');
    return state;
  }

  /** Applies a due expiry (and its effects) before answering anything. */
  private async settled(state: AccessRequestState): Promise<AccessRequestState> {
    const step = settle(state, Date.now());
    await this.commit(step, state.init.requestId);
    return step.state;
  }

  /** Stores the step and its outbox atomically, flushes D1, wakes waiters, sets the alarm. */
  private async commit(step: Step, requestId: string): Promise<void> {
    if (step.events.length === 0) return;
    const now = Date.now();
    const items = effectsOf(step.state, step.events, { now, requestId });
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        `INSERT INTO access_request (singleton, state, status, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (singleton) DO UPDATE SET state = excluded.state, status = excluded.status,
           updated_at = excluded.updated_at`,
        JSON.stringify(step.state),
        step.state.status,
        now,
      );
      for (const item of items) this.enqueue(item, now);
    });
    try {
      await this.flush(false);
    } catch (error) {
      console.error(`access request ${step.state.id}: outbox flush failed: ${briefly(error)}`);
    }
    if (step.state.status !== 'pending') {
      for (const wake of [...this.waiters]) wake();
    }
    await this.scheduleAlarm(step.state);
  }

  private enqueue(item: OutboxItem, nextAt: number): void {
    // An audit row gets its id now, not per attempt: a write that reached D1
    // but whose answer was lost is retried, and must not become two rows.
    const stored =
      item.kind === 'audit' && item.event.eventId === undefined
        ? { ...item, event: { ...item.event, eventId: crypto.randomUUID() } }
        : item;
    this.ctx.storage.sql.exec(
      'INSERT INTO outbox (kind, item, next_at) VALUES (?, ?, ?)',
      stored.kind,
      JSON.stringify(stored),
      nextAt,
    );
  }

  // --- outbox ----------------------------------------------------------------

  /** Flushes are serialised so that no item is sent twice by overlapping calls. */
  private flush(withNotifications: boolean): Promise<void> {
    const run = this.flushing.then(() => this.flushOnce(withNotifications));
    this.flushing = run.catch(() => {});
    return run;
  }

  private outboxRows(kinds: 'notify' | 'database'): OutboxRow[] {
    const condition = kinds === 'notify' ? "kind = 'notify'" : "kind <> 'notify'";
    return this.ctx.storage.sql
      .exec<OutboxRow>(
        `SELECT seq, kind, item, attempts, next_at FROM outbox WHERE ${condition} ORDER BY seq`,
      )
      .toArray();
  }

  private async flushOnce(withNotifications: boolean): Promise<void> {
    if (!this.schemaReady) return;
    if (withNotifications) {
      const due = this.outboxRows('notify').filter((row) => row.next_at <= Date.now());
      await Promise.all(due.map((row) => this.deliver(row)));
    }
    // Strictly in order, stopping at the first item that is not due or fails:
    // audit rows reach D1 in the order their transitions happened.
    for (const row of this.outboxRows('database')) {
      if (row.next_at > Date.now()) return;
      const item = JSON.parse(row.item) as OutboxItem;
      try {
        await this.writeToDatabase(item);
        this.ctx.storage.sql.exec('DELETE FROM outbox WHERE seq = ?', row.seq);
      } catch (error) {
        const delay = Math.min(MAX_DATABASE_RETRY_MS, 2000 * 2 ** row.attempts);
        this.retryLater(row, Date.now() + delay, briefly(error));
        console.error(
          `access request ${this.ctx.id.toString()}: D1 write failed: ${briefly(error)}`,
        );
        return;
      }
    }
  }

  private async writeToDatabase(item: OutboxItem): Promise<void> {
    switch (item.kind) {
      case 'audit':
        return createD1AuditLog(this.env.AUDIT_DB, Date.now, this.env).write(item.event);
      case 'grant':
        return writeGrant(this.env.AUDIT_DB, item.row);
      case 'index':
        return writeIndexRow(this.env.AUDIT_DB, item.row);
      case 'notify':
        throw new TypeError('a notification is not a database write');
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const item = JSON.parse(row.item) as OutboxItem;
    if (item.kind !== 'notify') return;
    const result = await deliverNotification(item.notification, {
      secrets: this.env as unknown as Record<string, unknown>,
      now: Date.now(),
    });
    const now = Date.now();
    const attempts = row.attempts + 1;
    if (result.ok) {
      this.ctx.storage.sql.exec('DELETE FROM outbox WHERE seq = ?', row.seq);
      return;
    }
    if (!result.permanent && attempts < MAX_DELIVERY_ATTEMPTS) {
      this.retryLater(row, now + retryDelayMs(attempts), result.reason);
      return;
    }
    const state = this.load();
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec('DELETE FROM outbox WHERE seq = ?', row.seq);
      this.enqueue(
        {
          kind: 'audit',
          event: {
            event: 'notify_failed',
            requestId: state?.init.requestId ?? 'unknown',
            at: now,
            accessRequestId: this.ctx.id.toString(),
            namespace: state?.init.namespace ?? null,
            resourceId: state?.init.resourceId ?? null,
            ruleId: state?.init.ruleId ?? null,
            decision: item.type,
            reason: `${describeTarget(item.notification.target)}: ${result.reason} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
          },
        },
        now,
      );
    });
  }

  private retryLater(row: OutboxRow, nextAt: number, error: string): void {
    this.ctx.storage.sql.exec(
      'UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?',
      nextAt,
      error.slice(0, 500),
      row.seq,
    );
  }

  /** One alarm: the earlier of the pending deadline and the next outbox retry. */
  private async scheduleAlarm(state: AccessRequestState | null): Promise<void> {
    const times: number[] = [];
    if (state?.status === 'pending') times.push(state.expiresAt);
    if (this.schemaReady) {
      // D1 items go strictly in order, so only the head of their queue can be
      // due; items behind a failed one wait for it (and must not re-fire the
      // alarm in a loop while it backs off).
      const sql = this.ctx.storage.sql;
      const head = sql
        .exec<{ t: number }>(
          "SELECT next_at AS t FROM outbox WHERE kind <> 'notify' ORDER BY seq LIMIT 1",
        )
        .toArray()[0]?.t;
      const notify = sql
        .exec<{ t: number | null }>("SELECT min(next_at) AS t FROM outbox WHERE kind = 'notify'")
        .one().t;
      for (const t of [head, notify]) if (typeof t === 'number') times.push(t);
    }
    const target = times.length === 0 ? null : Math.min(...times);
    const current = await this.ctx.storage.getAlarm();
    if (target === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== target) {
      await this.ctx.storage.setAlarm(target);
    }
  }
}
