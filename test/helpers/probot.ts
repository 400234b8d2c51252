import { afterAll, afterEach, beforeAll } from "@jest/globals";
import type { IncomingMessage, ServerResponse } from "node:http";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import pino from "pino";
import { createApp, type AppDeps, type InsightApp } from "../../src/app.js";
import { MemoryAuditLog } from "../../src/audit/file-audit-log.js";
import { loadEnv } from "../../src/config/env.js";
import { InProcessQueue } from "../../src/jobs/in-process-queue.js";
import { APP_ID, privateKey } from "./app-identity.js";

export { APP_ID, INSTALLATION_ID, privateKey } from "./app-identity.js";

/** Probot with retries and throttling off (callback form: the object form does not turn throttling off). */
export function testProbot(log = pino({ level: "silent" })): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey: privateKey(),
    log,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;
export type TestApp = { probot: Probot; insight: InsightApp; audit: MemoryAuditLog; http: HttpHandler[]; idle(): Promise<void> };

/** The real app with an in-memory audit log and an in-process queue that runs jobs at once. */
export async function loadTestApp(overrides: Partial<AppDeps> = {}, env: Record<string, string> = {}, log?: pino.Logger): Promise<TestApp> {
  const audit = new MemoryAuditLog();
  const insight = createApp({
    env: loadEnv({ APP_ID: String(APP_ID), INSIGHT_DEBOUNCE_MS: "0", ...env }),
    audit,
    mcpServers: { mcpServers: {}, insight: { budgetMs: 45_000 } },
    processors: {},
    commands: {},
    makeQueue: (run, log) => new InProcessQueue({ run, log, concurrency: 2, debounceMs: 0 }),
    ...overrides,
  });
  const probot = testProbot(log);
  const http: HttpHandler[] = [];
  await probot.load(insight.appFn, { cwd: process.cwd(), addHandler: (h: HttpHandler) => void http.push(h) } as never);
  return { probot, insight, audit, http, idle: () => insight.queue()!.onIdle() };
}

/** Every test starts with no network and ends with every interceptor used. */
export function useNock() {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    if (pending.length) throw new Error(`unused GitHub mocks:\n${pending.join("\n")}`);
  });
  afterAll(() => nock.enableNetConnect());
}
