import type { ApplicationFunction } from "probot";
import { createApp } from "./app.js";
import { loadEnv } from "./config/env.js";
import { defaultDeps } from "./default-deps.js";
import { redisQueueFromEnv } from "./jobs/queue-from-env.js";

/** Probot entry (`probot run ./src/index.ts`): builds the app from the environment, nothing else. */
const app: ApplicationFunction = async (probot, options) => {
  const env = loadEnv(process.env);
  const deps = await defaultDeps(env);
  deps.makeQueue = (await redisQueueFromEnv(env)) ?? deps.makeQueue;
  const insight = createApp(deps);
  await insight.appFn(probot, options);
};

export default app;
