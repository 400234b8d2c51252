import { describe, expect, it } from "@jest/globals";
import { checkScope, ToolRefusal, type IncidentScope } from "../../../src/llm/tool-scope.js";

/** Outside review (attacker): variants of #15's out-of-scope tool calls. */
describe("tool scope", () => {
  const scope: IncidentScope = { namespaces: ["shop"], skywalkingServices: ["api"], indices: [] };

  it.each([
    ["a name that is a kubectl flag (all namespaces)", "kubectl_get", { resourceType: "pods", namespace: "shop", name: "-A" }],
    ["a name that names another namespace", "kubectl_get", { resourceType: "pods", namespace: "shop", name: "--namespace=kube-system" }],
    ["a describe name that is a flag", "kubectl_describe", { resourceType: "pod", namespace: "shop", name: "--all-namespaces" }],
    [
      "a log container that is a flag",
      "kubectl_logs",
      { resourceType: "pod", namespace: "shop", name: "api-1", container: "--namespace=kube-system" },
    ],
    ["a label selector that is a flag", "kubectl_get", { resourceType: "pods", namespace: "shop", labelSelector: "--all-namespaces" }],
    ["a comma list of kinds", "kubectl_get", { resourceType: "pods,secrets", namespace: "shop" }],
    ["a kind with its group", "resources_list", { kind: "secrets.v1.", namespace: "shop" }],
  ])("refuses %s", (_name, tool, args) => {
    expect(() => checkScope(tool, args, scope)).toThrow(ToolRefusal);
  });

  it("accepts an ordinary in-scope read", () => {
    expect(() =>
      checkScope("kubectl_get", { resourceType: "pods", namespace: "shop", name: "api-5f6b-xyz12", labelSelector: "app=api" }, scope),
    ).not.toThrow();
  });
});
