import type { ApplicationFunction } from "probot";
import { createApp } from "./app.js";
import { loadEnv } from "./config/env.js";
import { defaultDeps } from "./default-deps.js";

/** Probot entry (`probot run ./src/index.ts`): builds the app from the environment, nothing else. */
const app: ApplicationFunction = async (probot, options) => {
  const insight = createApp(await defaultDeps(loadEnv(process.env)));
  await insight.appFn(probot, options);
};

export default app;
