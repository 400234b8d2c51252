import { INSTALLATION_ID } from "./app-identity.js";
import examples from "@octokit/webhooks-examples" with { type: "json" };

type Example = { name: string; actions: string[]; examples: Array<Record<string, unknown>> };

/** Real webhook payloads from @octokit/webhooks-examples for one event name. */
export function examplesOf(event: string): Array<Record<string, unknown>> {
  return ((examples as unknown as Example[]).find((e) => e.name === event)?.examples ?? []).map((p) => structuredClone(p));
}

/**
 * The first example of `event` with `action`, deep-cloned so a test can change it. Most examples
 * were recorded from repository webhooks without an installation, the others from several Apps;
 * every delivery of our App names its installation, so each example is set to the test's one.
 */
export function example(event: string, action: string): Record<string, any> {
  const found = examplesOf(event).find((p) => p.action === action);
  if (!found) throw new Error(`no example for ${event}.${action}`);
  found.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  return found;
}
