import { hkdfSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** What Insight signs with the operator's secret: fix states in PR descriptions, audit checkpoints. */
export type SigningKeys = {
  fixState: Buffer;
  auditCheckpoint: Buffer;
  /** Where the key material came from, for the start-up log and `insight doctor`. */
  source: "INSIGHT_SIGNING_SECRET" | "PRIVATE_KEY" | "WEBHOOK_SECRET" | "ephemeral";
};

type KeyEnv = { INSIGHT_SIGNING_SECRET?: string; PRIVATE_KEY?: string; PRIVATE_KEY_PATH?: string; WEBHOOK_SECRET?: string };

const derive = (material: string | Buffer, purpose: string) => Buffer.from(hkdfSync("sha256", material, "devops-insight", purpose, 32));

/**
 * One key per purpose, derived with HKDF-SHA256 from `INSIGHT_SIGNING_SECRET`. Without it, from
 * the App's private key, then from WEBHOOK_SECRET, so a signature still needs a secret only the
 * operator holds (rotating that secret then invalidates the signatures). With none of them (local
 * development), a random key that lives as long as the process.
 */
export function signingKeys(env: KeyEnv): SigningKeys {
  const pick = (): { material: string | Buffer; source: SigningKeys["source"] } => {
    if (env.INSIGHT_SIGNING_SECRET) return { material: env.INSIGHT_SIGNING_SECRET, source: "INSIGHT_SIGNING_SECRET" };
    if (env.PRIVATE_KEY) return { material: env.PRIVATE_KEY, source: "PRIVATE_KEY" };
    if (env.PRIVATE_KEY_PATH) return { material: readFileSync(env.PRIVATE_KEY_PATH), source: "PRIVATE_KEY" };
    if (env.WEBHOOK_SECRET) return { material: env.WEBHOOK_SECRET, source: "WEBHOOK_SECRET" };
    return { material: randomBytes(32), source: "ephemeral" };
  };
  const { material, source } = pick();
  return { fixState: derive(material, "fix-state v1"), auditCheckpoint: derive(material, "audit-checkpoint v1"), source };
}
