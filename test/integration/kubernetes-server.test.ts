import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADAPTERS } from "../../src/signals/adapters/registry.js";
import { inspectSource } from "../../src/signals/inspect.js";
import { collector, services } from "../helpers/collect.js";

/**
 * The real kubernetes-mcp-server (its Go binary, from npm). No cluster runs here, so this checks
 * what can be checked for real: the flavour is recognised from its actual tools, --read-only drops
 * every write tool, and an API server that cannot be reached makes that one source an error with
 * the server's own reason.
 */
describe("kubernetes-mcp-server (real binary, no cluster)", () => {
  let dir: string;
  let c: ReturnType<typeof collector>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-k8s-"));
    const kubeconfig = join(dir, "config");
    await writeFile(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        '- cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true }',
        "  name: dead",
        "contexts:",
        "- context: { cluster: dead, user: nobody }",
        "  name: dead",
        "current-context: dead",
        "users:",
        "- name: nobody",
        '  user: { token: "x" }',
      ].join("\n"),
    );
    // Installed by scripts/services.sh (its npm wrapper cannot be a dependency: see there).
    const bin = join(process.cwd(), ".tools/kubernetes-mcp-server");
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/services.sh start`);
    c = collector({
      ro: { command: bin, args: ["--read-only", "--kubeconfig", kubeconfig], insight: { adapter: "kubernetes" } },
      rw: { command: bin, args: ["--kubeconfig", kubeconfig], insight: { adapter: "kubernetes" } },
    });
  });
  afterAll(async () => {
    await c.pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is recognised, and read-only mode offers no write tool", async () => {
    const ro = await inspectSource(c.pool, "ro", c.config.mcpServers.ro!, ADAPTERS);
    expect(ro).toMatchObject({ reachable: true, flavour: "kubernetes-mcp-server", missing: [], writeTools: [] });
    const rw = await inspectSource(c.pool, "rw", c.config.mcpServers.rw!, ADAPTERS);
    expect(rw.writeTools).toEqual(expect.arrayContaining(["pods_delete", "resources_delete"]));
    expect(rw.warnings[0]).toMatch(/offers write tools .*start it read-only; Insight never calls them/);
  }, 30_000);

  it("reports an unreachable cluster as that source's error, with the reason", async () => {
    const result = await c.collect(services({ api: { kubernetes: { namespace: "prod", labels: { app: "api" } } } }), 30, { only: ["ro"] });
    expect(result.sources[0]).toMatchObject({
      status: "error",
      flavour: "kubernetes-mcp-server",
      error: expect.stringContaining("connection refused"),
    });
  }, 30_000);
});
