import { jest } from "@jest/globals";

/**
 * The per-test timeout of end-to-end tests that run a whole app or many fixture servers: Probot receives
 * webhooks, jobs run, the repo config is parsed in a worker thread, tens of GitHub calls go through nock.
 * 0.5–3.5 s on a quiet 2-core machine, 5–15 s at load 12 (`scripts/stress-tests.sh --stress 2` beside
 * other suites), where jest's default 5 s failed them with nothing wrong and the timed-out test's job
 * ran on into the next test. Legitimately slow work; nothing in them waits on the clock.
 */
export const E2E_TEST_TIMEOUT_MS = 30_000;

/** Sets E2E_TEST_TIMEOUT_MS for the rest of the file (a test with its own timeout keeps it). */
export function useE2eTimeout() {
  jest.setTimeout(E2E_TEST_TIMEOUT_MS);
}
