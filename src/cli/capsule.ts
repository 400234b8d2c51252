import { readFile } from "node:fs/promises";
import { buildBundle, type BundleInput } from "../capsule/build.js";
import { assetIdMatches } from "../capsule/hashing.js";
import { bundleProblems } from "../capsule/schemas.js";
import type { Cli } from "./output.js";

/**
 * `insight capsule build --input <file>`: the Gene + Capsule + EvolutionEvent of a fix, from a
 * JSON description (keywords, hypothesis, fix files with patches), printed as JSON with asset ids.
 * The keywords may also come as `signals`, GEP's word for them (files written before the rename).
 * Exit 1 when the bundle would not pass the hub's gates (the problems are printed).
 */
export async function capsuleBuild(options: { input: string }, cli: Cli): Promise<number> {
  const raw = JSON.parse(await readFile(cli.path(options.input), "utf8")) as Omit<BundleInput, "keywords"> & {
    keywords?: unknown;
    signals?: unknown;
  };
  const { signals, keywords = signals, ...rest } = raw;
  if (!Array.isArray(keywords) || !keywords.every((k) => typeof k === "string")) {
    cli.err(`insight capsule build: ${options.input}: \`keywords\` must be a list of strings`);
    return 1;
  }
  const bundle = buildBundle({ ...rest, keywords });
  cli.out(JSON.stringify(bundle, null, 2));
  const problems = bundleProblems(bundle);
  for (const p of problems) cli.err(`✖ ${p}`);
  return problems.length ? 1 : 0;
}

/**
 * `insight capsule validate <file>`: a bundle (`{gene, capsule, event?}`, or a publish payload's
 * `assets` array) checked against the hub's gates and its asset ids recomputed. Exit 1 on any problem.
 */
export async function capsuleValidate(file: string, cli: Cli): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(cli.path(file), "utf8"));
  } catch (e) {
    cli.err(`insight capsule validate: ${file}: ${(e as Error).message}`);
    return 1;
  }
  const assets = Array.isArray((data as { assets?: unknown[] }).assets)
    ? (data as { assets: Array<Record<string, unknown>> }).assets
    : undefined;
  const bundle = assets
    ? {
        gene: assets.find((a) => a.type === "Gene"),
        capsule: assets.find((a) => a.type === "Capsule"),
        event: assets.find((a) => a.type === "EvolutionEvent"),
      }
    : (data as { gene?: unknown; capsule?: unknown; event?: unknown });
  const problems = bundleProblems({ gene: bundle.gene, capsule: bundle.capsule, ...(bundle.event ? { event: bundle.event } : {}) });
  for (const [name, asset] of Object.entries(bundle)) {
    if (asset && typeof asset === "object" && !assetIdMatches(asset as Record<string, unknown>))
      problems.push(`${name}.asset_id → does not match the asset's content (sha256 of its canonical JSON)`);
  }
  const gene = bundle.gene as { asset_id?: string } | undefined;
  const capsule = bundle.capsule as { gene?: string } | undefined;
  if (gene?.asset_id && capsule?.gene && capsule.gene !== gene.asset_id) problems.push("capsule.gene → is not the gene's asset_id");
  if (problems.length === 0) {
    cli.out(`✅ ${file}: the bundle passes the hub's gates and its asset ids match`);
    return 0;
  }
  for (const p of problems) cli.out(`✖ ${p}`);
  return 1;
}
