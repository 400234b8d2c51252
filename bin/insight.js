#!/usr/bin/env node
// The `insight` command: runs the TypeScript sources through tsx (a runtime dependency), so a
// clone works without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
