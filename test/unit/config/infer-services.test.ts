import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { classifyChanges } from "../../../src/analysis/classify-change.js";
import { inferServices } from "../../../src/config/infer-services.js";
import { DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.js";
import { runLocalImpact } from "../../../src/cli/impact.js";
import { BOUTIQUE_SERVICES, boutiqueTree } from "../../helpers/boutique.js";

const run = promisify(execFile);
const tree = boutiqueTree();
const infer = (files: Record<string, string>, repoName?: string) =>
  inferServices({ paths: Object.keys(files), read: (p) => files[p], repoName });

describe("zero-config services from the repository's layout", () => {
  it("finds the services of an Online-Boutique-like monorepo, not its docs, protos or chart", () => {
    const { services, seenIn } = infer(tree);
    expect(Object.keys(services).filter((s) => s !== "redis-cart")).toEqual(BOUTIQUE_SERVICES);
    expect(services.paymentservice!.paths).toEqual([
      "helm-chart/templates/paymentservice.yaml",
      "kubernetes-manifests/paymentservice.yaml",
      "src/paymentservice/**",
    ]);
    expect(services.paymentservice!.kubernetes).toEqual({
      namespace: "default",
      labels: { app: "paymentservice" },
      deployment: "paymentservice",
    });
    expect(seenIn.paymentservice).toEqual(expect.arrayContaining(["Kubernetes Deployment", "Helm chart template", "CODEOWNERS"]));
    expect(services.cartservice!.paths).toContain("src/cartservice/**"); // its Dockerfile is one level down
    expect(services["redis-cart"]!.paths).toEqual(["kubernetes-manifests/redis.yaml"]);
    for (const junk of ["docs", "protos", "onlineboutique", "helm-chart"]) expect(services[junk]).toBeUndefined();
  });

  it("maps a dependency bump in src/paymentservice/package.json to paymentservice", () => {
    const config = { ...DEFAULT_REPO_CONFIG, services: infer(tree).services };
    const [file] = classifyChanges(
      {
        ref: "x",
        base: { ref: "main", sha: "0" },
        head: { ref: "f", sha: "1" },
        changedFiles: 1,
        filesNotListed: 0,
        files: [
          {
            path: "src/paymentservice/package.json",
            status: "modified",
            additions: 1,
            deletions: 1,
            patch: '@@ -4 +4 @@\n-    "simple-card-validator": "1.1.0"\n+    "simple-card-validator": "2.0.0"',
          },
        ],
      },
      config,
    );
    expect(file!.services).toEqual(["paymentservice"]);
    expect(file!.dependencies).toEqual([{ name: "simple-card-validator", from: "1.1.0", to: "2.0.0", major: true }]);
  });

  it("reads services/, apps/ and cmd/ directories, docker-compose build contexts and a lone root Dockerfile", () => {
    expect(
      Object.keys(infer({ "services/api/index.ts": "", "apps/web/page.tsx": "", "cmd/worker/main.go": "", "src/utils/x.ts": "" }).services),
    ).toEqual(["api", "web", "worker"]);
    const compose = infer({
      "docker-compose.yml":
        "services:\n  api:\n    build: ./backend\n  db:\n    image: postgres:16\n  ui:\n    build:\n      context: ./frontend\n",
      "backend/app.py": "",
      "frontend/app.ts": "",
    });
    expect(compose.services).toMatchObject({ api: { paths: ["backend/**"] }, ui: { paths: ["frontend/**"] } });
    expect(compose.services.db).toBeUndefined();
    expect(infer({ Dockerfile: "FROM node", "index.js": "" }, "billing").services).toMatchObject({ billing: { paths: ["**"] } });
  });

  it("ignores manifests it cannot parse and label values that could break a query", () => {
    const { services } = infer({
      "k8s/api.yaml": "kind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels:\n      app: 'x\"} or vector(1)'\n",
      "k8s/bad.yaml": "{{ not yaml",
    });
    expect(services.api!.kubernetes!.labels).toEqual({});
  });
});

describe("insight impact on a repository with no config", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-boutique-"));
    const git = (...args: string[]) =>
      run("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args]);
    for (const [path, text] of Object.entries(tree)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await git("init", "-q", "-b", "main");
    await git("add", "-A");
    await git("commit", "-q", "-m", "boutique");
    await git("checkout", "-q", "-b", "bump");
    await writeFile(
      join(dir, "src/paymentservice/package.json"),
      tree["src/paymentservice/package.json"]!.replace('"simple-card-validator": "1.1.0"', '"simple-card-validator": "2.0.0"'),
    );
    await git("commit", "-qam", "bump");
    await writeFile(join(dir, "..", `${dir.split("/").pop()}-mcp.json`), JSON.stringify({ mcpServers: {} }));
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}-mcp.json`, { force: true });
  });

  it("maps the change to its service by layout and says the services were inferred", async () => {
    const { assessment, markdown } = await runLocalImpact({ repo: dir, base: "main", head: "bump", mcpConfig: `${dir}-mcp.json` });
    expect(assessment.files[0]!.services).toEqual(["paymentservice"]);
    expect(markdown).toMatch(
      /No `\.github\/insight\.yml`: services were inferred from the repository's layout \(.*Kubernetes Deployment.*\): adservice, cartservice/,
    );
    expect(markdown).toContain("| **paymentservice** |");
    expect(markdown).not.toContain("Not mapped to a service");
    expect(markdown).not.toContain("/insight impact");
    expect(markdown).toContain(`re-run with \`insight impact --repo ${dir} --base main --head bump\``);
    expect(markdown).not.toMatch(/\btoday\b/);
  }, 60_000);
});
