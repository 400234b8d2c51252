import { z } from "zod";
import { repoConfigSchema } from "./repo-config.js";

/** JSON Schema of `.github/insight.yml` for editors (yaml-language-server, VS Code). */
export function repoConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(repoConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return {
    ...schema,
    properties: {
      _extends: { type: "string", description: "Inherit from another repository's file: repo or owner/repo[:path]." },
      ...properties,
    },
    $id: "https://raw.githubusercontent.com/devops-insight/devops-insight/main/schema/insight.schema.json",
    title: "DevOps Insight repository configuration (.github/insight.yml)",
  };
}

export function repoConfigJsonSchemaText(): string {
  return `${JSON.stringify(repoConfigJsonSchema(), null, 2)}\n`;
}
