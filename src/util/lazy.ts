/**
 * A function whose implementation is loaded on its first call (a dynamic `import()`), so a process
 * that never calls it never loads its modules: the server starts without the analysis, rendering
 * and remediation code of every job kind, and loads each on its first job. Concurrent first calls
 * share one load; a failed load is tried again on the next call.
 */
// biome-ignore lint/suspicious/noExplicitAny: any function's parameters, as in TypeScript's own Parameters<T>.
export function lazy<F extends (...args: any[]) => Promise<unknown>>(load: () => Promise<F>): F {
  let loading: Promise<F> | undefined;
  const forget = (err: unknown): never => {
    loading = undefined;
    throw err;
  };
  const call = async (...args: Parameters<F>) => {
    loading ??= load().catch(forget);
    return (await loading)(...args);
  };
  return call as F;
}
