import { createHmac } from "node:crypto";
import { canonicalJson, sha256Hex } from "../util/canonical-json.js";

/** `sha256:` + hex sha256 of the asset's canonical JSON without its own `asset_id`. */
export function assetId(asset: Record<string, unknown>): string {
  const { asset_id: _ignored, ...rest } = asset;
  return `sha256:${sha256Hex(canonicalJson(rest))}`;
}

/** The asset with its id set (recomputed, never trusted from the input). */
export function withAssetId<T extends Record<string, unknown>>(asset: T): T & { asset_id: string } {
  return { ...asset, asset_id: assetId(asset) };
}

/** True when the asset's `asset_id` is the hash of its content. */
export function assetIdMatches(asset: Record<string, unknown>): boolean {
  return typeof asset.asset_id === "string" && asset.asset_id === assetId(asset);
}

/** The bundle signature: HMAC-SHA256(node secret, sorted gene and capsule ids joined by "|"), hex. */
export function signBundle(nodeSecret: string, geneAssetId: string, capsuleAssetId: string): string {
  return createHmac("sha256", nodeSecret).update([geneAssetId, capsuleAssetId].sort().join("|")).digest("hex");
}
