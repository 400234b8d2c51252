// Runs an entry point (`cli/main`, `server`) from the compiled build when `npm run build` made one
// that is newer than every source file, else from the TypeScript sources through tsx. Operators
// (and the Docker image) run dist/; a clone works without a build, and a stale build is never run.
import { readdirSync, statSync } from "node:fs";

const root = new URL("..", import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function compiled(entry) {
  const file = new URL(`dist/src/${entry}.js`, root);
  let built;
  try {
    built = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  let sources = 0;
  try {
    sources = newestMtime(new URL("src", root).pathname);
  } catch {
    // No sources next to the build (the Docker image): the build is all there is.
  }
  return built >= sources ? file : undefined;
}

export async function load(entry) {
  const file = process.env.INSIGHT_FROM_SOURCE ? undefined : compiled(entry);
  if (file) return import(file.href);
  const { register } = await import("tsx/esm/api");
  register();
  return import(new URL(`src/${entry}.ts`, root).href);
}
