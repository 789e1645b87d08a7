// Deadlines, abortable sleeps and per-attempt abort controllers.
//
// A read that waits for a review has two clocks: the caller's deadline (give
// up and report the access request id) and the caller's AbortSignal (stop
// now). Each HTTP attempt gets its own controller linked to both, so the
// deadline can end a held request without touching the body of a read that
// already succeeded.

/** A deadline as the caller gives it: a Date, or milliseconds from now. */
export type DeadlineInput = Date | number;

export function resolveDeadline(
  deadline: DeadlineInput | undefined,
  now: number,
): number | undefined {
  if (deadline === undefined) return undefined;
  if (deadline instanceof Date) {
    const at = deadline.getTime();
    if (Number.isNaN(at)) throw new TypeError('deadline: an invalid Date');
    return at;
  }
  if (!Number.isFinite(deadline) || deadline < 0) {
    throw new TypeError('deadline: milliseconds from now, a finite number >= 0');
  }
  return now + deadline;
}

/** Marks an abort caused by the deadline rather than by the caller. */
export const DEADLINE_REACHED: unique symbol = Symbol('tracegate.deadline');

export interface Attempt {
  signal: AbortSignal;
  /** True when the deadline, not the caller, aborted the attempt. */
  readonly deadlineHit: boolean;
  /** Stops the deadline timer; the caller's signal still reaches the body. */
  settle(): void;
  /** Stops everything: the attempt is over. */
  dispose(): void;
}

/** An AbortController for one HTTP attempt, aborted by `signal` or after `timeoutMs`. */
export function startAttempt(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Attempt {
  const controller = new AbortController();
  let deadlineHit = false;
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted === true) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => {
            deadlineHit = true;
            controller.abort(DEADLINE_REACHED);
          },
          Math.max(0, timeoutMs),
        );
  return {
    signal: controller.signal,
    get deadlineHit() {
      return deadlineHit;
    },
    settle() {
      if (timer !== undefined) clearTimeout(timer);
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
