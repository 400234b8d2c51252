import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

const identitySchema = z.object({
  node_id: z.string().regex(/^node_[A-Za-z0-9_]{6,64}$/),
  node_secret: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .optional(),
  heartbeat_interval_ms: z.number().int().positive().default(900_000),
  hub: z.string(),
});
export type NodeIdentity = z.infer<typeof identitySchema>;

/**
 * This node's identity on the hub, in an operator file readable by the service user only (0600,
 * its folder 0700): the id is ours for good, the secret signs every bundle.
 */
export class NodeIdentityStore {
  constructor(readonly path: string) {}

  async read(): Promise<NodeIdentity | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const parsed = identitySchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(
        `${this.path} is not an EvoMap node file: ${parsed.error.issues.map((i) => `${i.path.join(".")} → ${i.message}`).join("; ")}`,
      );
    return parsed.data;
  }

  async write(identity: NodeIdentity): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }
}

/** A fresh sender id: `node_` and 16 hex characters, generated here and kept. */
export const newNodeId = () => `node_${randomBytes(8).toString("hex")}`;
