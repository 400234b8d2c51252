/**
 * The layering of src/, lowest first. A folder imports only folders below it (and its own files),
 * so the folder-level graph cannot loop. Type-only imports count too: a loop through types is
 * still a loop a reader has to untangle. Files directly under src/ (app.ts, server.ts,
 * default-deps.ts, index.ts) are the composition root above every layer.
 *
 * Where a new folder goes: below everything that imports it, above everything it imports.
 * Run: npm run lint:deps (also a step of .ci/run).
 */
const LAYERS = [
  "core", // shared types and constants: GitHub names, limits, risk order, change sets — imports nothing of src/
  "util",
  "security",
  "audit",
  "github", // the one writer, metadata, permissions: GitHub writes and small reads
  "config",
  "signals", // MCP sources: adapters, pool, collection
  "analysis", // pure analysis of signals and changes
  "changes", // GitHub and git reads of changes (classified by analysis)
  "history", // the repository's change and incident record (its processor is under jobs/, its renderer under render/)
  "llm",
  "capsule",
  "remediation",
  "render", // every renderer: report model → markdown
  "pipeline", // impact, rca, health, ciFailure, fix: inputs + services → report model
  "jobs", // queue, job runner, processors (read → pipeline → render → write)
  "store",
  "commands",
  "handlers",
  "http",
  "scripts",
  "cli",
];

const folder = (names) => `^src/(${names.join("|")})/`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "warn",
      comment: "No module imports itself through others (a warning: a few loops inside analysis/ remain; the layer rules below keep the folder graph loop-free).",
      from: {},
      to: { circular: true },
    },
    {
      name: "analysis-and-render-stay-pure",
      severity: "error",
      comment: "analysis/ and render/ take plain data: never jobs/, github/ or commands/.",
      from: { path: folder(["analysis", "render"]) },
      to: { path: folder(["jobs", "github", "commands"]) },
    },
    {
      name: "processors-are-entry-points",
      severity: "error",
      comment:
        "A job processor is read → pipeline → render → write for one job kind, called by the runner only: commands and the CLI call the pipeline (or a shared jobs/ module such as rca-thread.ts), never a processor.",
      from: { path: "^src/", pathNot: ["^src/jobs/", "^src/default-deps\\.ts$"] },
      to: { path: "^src/jobs/processors/" },
    },
    {
      name: "no-unknown-folder",
      severity: "error",
      comment: "Every folder of src/ has a place in the layers of .dependency-cruiser.cjs.",
      from: { path: "^src/[^/]+/", pathNot: folder(LAYERS) },
      to: {},
    },
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer}`,
      severity: "error",
      comment: `${layer}/ imports only the layers below it: not ${LAYERS.slice(i + 1).join(", ")}, nor the composition root.`,
      from: { path: folder([layer]) },
      to: { path: [folder(LAYERS.slice(i + 1)), "^src/[^/]+\\.ts$"] },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
