import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { seeded } from "./rng.js";

/**
 * A generated git repository with the structure of a small service monorepo: three services with
 * code, Kubernetes manifests, migrations and a package.json, squash-merged PRs (`Title (#N)`), some
 * of which break: those are reverted (`Revert "…"`) or fixed later by a commit that rewrites lines
 * they added. Written with `git fast-import` (thousands of commits in seconds). Returns what was
 * planted, so tests can check what `insight history` finds.
 */
export function generateRepo(
  dir: string,
  options: { commits: number; seed?: number },
): { reverted: string[]; fixed: string[]; fragile: string[] } {
  const rng = seeded(options.seed ?? 7);
  const services = ["api", "web", "worker"];
  const files: Record<string, string[]> = {};
  const fragility: Record<string, number> = {};
  for (const s of services) {
    for (let i = 0; i < 8; i++) {
      const path = `services/${s}/src/${rng.pick(["orders", "cart", "users", "billing", "search", "queue", "cache", "auth", "report", "email"])}-${i}.ts`;
      files[path] = Array.from({ length: rng.int(20, 80) }, (_, j) => `export const v${j} = ${rng.int(0, 999)};`);
      fragility[path] = rng.chance(0.2) ? 0.35 : 0.04;
    }
    files[`k8s/${s}/deployment.yaml`] = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "spec:",
      `  replicas: ${rng.int(2, 6)}`,
      "  template:",
      "    spec:",
      "      containers:",
      `        - image: ${s}:1.0.0`,
      "          resources:",
      "            limits:",
      "              memory: 512Mi",
    ];
    fragility[`k8s/${s}/deployment.yaml`] = 0.25;
  }
  files["package.json"] = ["{", '  "dependencies": {', '    "express": "4.18.0",', '    "pg": "8.11.0"', "  }", "}"];
  fragility["package.json"] = 0.15;
  const paths = Object.keys(files);
  const fragile = paths.filter((p) => fragility[p]! >= 0.25);
  let time = Date.parse("2024-01-01T00:00:00Z") / 1000;
  let pr = 100;
  let migration = 1;
  let mark = 0;
  const out: string[] = [];
  const reverted: string[] = [];
  const fixed: string[] = [];
  const pendingFixes: Array<{ path: string; line: number; title: string; due: number }> = [];
  const commit = (message: string, changes: Record<string, string[] | null>) => {
    time += Math.round(rng.exp(3 * 3600));
    out.push(
      `commit refs/heads/main`,
      `mark :${++mark}`,
      `committer Dev <dev@example.test> ${time} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
    if (mark > 1) out.push(`from :${mark - 1}`);
    for (const [path, lines] of Object.entries(changes)) {
      if (lines === null) out.push(`D ${path}`);
      else {
        const body = `${lines.join("\n")}\n`;
        out.push(`M 100644 inline ${path}`, `data ${Buffer.byteLength(body)}`, body);
      }
    }
    out.push("");
  };
  commit("Initial import", Object.fromEntries(paths.map((p) => [p, files[p]!])));
  for (let n = 1; n < options.commits; n++) {
    const due = pendingFixes.findIndex((f) => f.due <= n);
    if (due >= 0) {
      const f = pendingFixes.splice(due, 1)[0]!;
      const lines = [...files[f.path]!];
      if (f.line < lines.length) lines[f.line] = `${lines[f.line]} // fixed`;
      files[f.path] = lines;
      const title = `Fix regression from "${f.title}"`;
      fixed.push(f.title);
      commit(`${title} (#${++pr})`, { [f.path]: lines });
      continue;
    }
    const path = rng.pick(paths);
    const before = [...files[path]!];
    const lines = [...before];
    const edits = rng.int(1, 4);
    let firstAdded = -1;
    for (let e = 0; e < edits; e++) {
      const at = rng.int(0, lines.length);
      if (rng.chance(0.6) && at < lines.length) lines[at] = `${lines[at]!.replace(/ \/\/.*$/, "")} // r${n}`;
      else lines.splice(at, 0, `export const n${n}_${e} = ${rng.int(0, 999)};`);
      if (firstAdded < 0) firstAdded = Math.min(at, lines.length - 1);
    }
    const changes: Record<string, string[] | null> = { [path]: lines };
    if (path.includes("/src/") && rng.chance(0.05))
      changes[`services/${path.split("/")[1]}/db/migrations/V${migration++}__change.sql`] = [
        `ALTER TABLE ${rng.pick(["orders", "users", "carts"])} ADD COLUMN c${n} text;`,
      ];
    const title = `${rng.pick(["Improve", "Refactor", "Tune", "Add", "Update", "Speed up"])} ${path
      .split("/")
      .pop()!
      .replace(/\.\w+$/, "")} ${rng.pick(["handling", "limits", "paths", "caching", "logging"])} ${n}`;
    files[path] = lines;
    commit(`${title} (#${++pr})`, changes);
    if (rng.chance(fragility[path]!)) {
      if (rng.chance(0.4)) {
        files[path] = before;
        reverted.push(title);
        commit(`Revert "${title} (#${pr})"\n\nThis reverts the change of #${pr}.`, { [path]: before });
        n++;
      } else pendingFixes.push({ path, line: firstAdded, title, due: n + rng.int(1, 6) });
    }
  }
  mkdirSync(dir, { recursive: true });
  const git = (args: string[], input?: string) => {
    const r = spawnSync("git", ["-C", dir, ...args], { input, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.toString()}`);
  };
  git(["init", "-q", "-b", "main"]);
  git(["fast-import", "--quiet"], `${out.join("\n")}\n`);
  git(["reset", "-q", "--hard", "main"]);
  return { reverted, fixed, fragile };
}
