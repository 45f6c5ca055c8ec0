// The published KServe v0.20.0 Helm chart files (../shared/kserve/charts/): the chart names and
// versions, and the controller chart's values.yaml, which says which values keys exist.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SHARED_DIR } from "./kserveSchema";

export const CHARTS_DIR = path.join(SHARED_DIR, "kserve", "charts");
const FILES = ["kserve-crd-Chart.yaml", "kserve-resources-Chart.yaml", "kserve-resources-values.yaml"];

/** Why the chart files are unavailable, or undefined when they are there. CI must never skip. */
export function chartFilesMissingReason(): string | undefined {
  const missing = FILES.map((name) => path.join(CHARTS_DIR, name)).filter((file) => !fs.existsSync(file));
  if (missing.length === 0) {
    return undefined;
  }
  if (process.env.CI) {
    throw new Error(`${missing.join(", ")} missing; CI must check the lab's Helm releases against the published KServe charts`);
  }
  return `skipped: ${missing.join(", ")} not found (a fresh clone without ../shared)`;
}

/** A chart's Chart.yaml: `kserve-crd` or `kserve-resources`. */
export function chartYaml(chart: "kserve-crd" | "kserve-resources"): { name: string; version: string } {
  return YAML.parse(fs.readFileSync(path.join(CHARTS_DIR, `${chart}-Chart.yaml`), "utf8"));
}

/** The controller chart's values.yaml, parsed. */
export function controllerChartValues(): Record<string, unknown> {
  return YAML.parse(fs.readFileSync(path.join(CHARTS_DIR, "kserve-resources-values.yaml"), "utf8"));
}

/** Every leaf path of a nested values object, e.g. `kserve.controller.gateway.disableIngressCreation`. */
export function leafPaths(values: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? leafPaths(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** Whether a dotted path names a key of the nested object (each step a map that has the key). */
export function hasPath(values: unknown, dotted: string): boolean {
  let node = values;
  for (const part of dotted.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node) || !(part in node)) {
      return false;
    }
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}
