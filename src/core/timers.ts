/** Timers a component schedules on: the real ones by default, a test's manual clock in tests (no wall-clock waits). */
export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * An AbortSignal that aborts with a TimeoutError `ms` from now on `timers`: `AbortSignal.timeout`
 * on the real timers (unref'd, nothing to clear), a signal a test's manual clock fires otherwise.
 */
export function timeoutSignal(ms: number, timers: Timers = realTimers): AbortSignal {
  if (timers === realTimers) return AbortSignal.timeout(ms);
  const controller = new AbortController();
  timers.setTimeout(() => controller.abort(new DOMException(`signal timed out after ${ms} ms`, "TimeoutError")), ms);
  return controller.signal;
}

/**
 * Rejects with `Error(message)` once `signal` aborts: the deadline of a call that takes no signal
 * (BullMQ's), raced against it. A signal that never aborts leaves it pending, which is harmless.
 */
export function rejectOnAbort(signal: AbortSignal, message: string): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new Error(message));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
