import { describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lazy } from "../../../src/util/lazy.js";
import { loadEnv } from "../../../src/config/env.js";
import { defaultDeps } from "../../../src/default-deps.js";
import { COMMANDS } from "../../../src/commands/registry.js";

describe("lazy", () => {
  it("loads nothing until the first call, then once for concurrent callers, and passes arguments and results through", async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const add = lazy(async () => {
      loads++;
      await gate;
      return async (a: number, b: number) => a + b;
    });
    expect(loads).toBe(0);
    const both = Promise.all([add(1, 2), add(3, 4)]);
    release();
    expect(await both).toEqual([3, 7]);
    expect(await add(5, 6)).toBe(11);
    expect(loads).toBe(1);
  });

  it("tries a failed load again on the next call, and the caller sees the load's error", async () => {
    let loads = 0;
    const f = lazy(async () => {
      if (++loads === 1) throw new Error("module not found: ./x.js");
      return async () => "ok";
    });
    await expect(f()).rejects.toThrow("module not found: ./x.js");
    await expect(f()).resolves.toBe("ok");
    expect(loads).toBe(2);
  });
});

describe("the production wiring (default-deps.ts)", () => {
  it("gives every job kind a processor and every command that needs one a handler, loaded on first use", async () => {
    const dir = mkdtempSync(join(tmpdir(), "insight-deps-"));
    const deps = await defaultDeps(loadEnv({ INSIGHT_DATA_DIR: dir }));
    try {
      expect(Object.keys(deps.processors).sort()).toEqual(["ci-failure", "fix-push", "health", "history", "pr-impact", "pr-merged", "rca"]);
      for (const p of Object.values(deps.processors)) expect(typeof p).toBe("function");
      // help is answered by the command processor itself; every other command has a handler.
      const named = COMMANDS.map((c) => c.name).filter((n) => n !== "help");
      expect(Object.keys(deps.commands).sort()).toEqual([...named].sort());
    } finally {
      await deps.stores?.close();
    }
  });
});
