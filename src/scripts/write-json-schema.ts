import { writeFile } from "node:fs/promises";
import { repoConfigJsonSchemaText } from "../config/json-schema.js";

/** `npm run schema`: regenerates schema/insight.schema.json from the zod schema. */
const target = new URL("../../schema/insight.schema.json", import.meta.url);
await writeFile(target, repoConfigJsonSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);
