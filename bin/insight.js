#!/usr/bin/env node
// The `insight` command: the compiled build when there is a fresh one, else the sources via tsx.
// All of the CLI is `main(argv, io)` (tests call it in-process); this only runs it and exits with its code.
import { load } from "./load.js";

const { main } = await load("cli/main");
process.exit(await main(process.argv.slice(2)));
