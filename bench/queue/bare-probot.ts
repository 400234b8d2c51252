import { run } from "probot";

/** The baseline of bench:ack: a bare Probot app with one no-op handler, started the way Probot starts any app. */
await run((app) => {
  app.on("pull_request", async () => undefined);
});
