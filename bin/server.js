#!/usr/bin/env node
// `npm start` (through `exec`, so SIGTERM reaches this process): the compiled server when there is
// a fresh build, else the sources via tsx. `--setup` serves Probot's registration wizard.
import { load } from "./load.js";

await load("server");
