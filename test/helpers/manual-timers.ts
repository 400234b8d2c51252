import type { Timers } from "../../src/jobs/in-process-queue.js";

/** Timers driven by the test: `advance(ms)` fires what is due, in order. No wall-clock sleeping. */
export class ManualTimers implements Timers {
  now = 0;
  #next = 1;
  #pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.#pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }

  get size(): number {
    return this.#pending.size;
  }
}
