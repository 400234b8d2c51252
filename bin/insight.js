#!/usr/bin/env node
// The `insight` command: the compiled build when there is a fresh one, else the sources via tsx.
import { load } from "./load.js";

await load("cli/main");
