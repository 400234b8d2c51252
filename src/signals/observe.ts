import type { SourceResult } from "./types.js";

type SourceObserver = (result: Pick<SourceResult, "adapter" | "status" | "elapsedMs">) => void;

const observers = new Set<SourceObserver>();

/**
 * Who wants to hear about each source collection (the process's `/metrics`). The signals layer
 * only announces; http/metrics.ts subscribes, so signals never imports the layers above it.
 * Returns the unsubscribe function.
 */
export function onSourceCollected(observer: SourceObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Called by `collectSignals` once per source read. */
export function sourceCollected(result: SourceResult): void {
  for (const observe of observers) observe(result);
}
