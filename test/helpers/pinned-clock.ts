import { afterAll, jest } from "@jest/globals";

/**
 * Pins `Date` (only `Date`: timers stay real) at `now` for the rest of the file, and restores it after the
 * file. For tests whose code reads the clock deep inside (a processor's window, "12 minutes ago") and whose
 * fixture servers play a scenario at a fixed `now`: both then see the same instant, however slow the machine.
 */
export function pinClock(now: number): void {
  jest.useFakeTimers({
    now,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  afterAll(() => void jest.useRealTimers());
}
