// Reads a stack's config from Pulumi.<stack>.yaml, for tools that run without the Pulumi CLI.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseSettings, Settings } from "./settings";

export function stackFilePath(projectDir: string, stack: string): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The stack's config map, values as written (objects, numbers, strings). */
export function readStackConfig(projectDir: string, stack: string): Record<string, unknown> {
  const file = stackFilePath(projectDir, stack);
  if (!/^[\w.-]+$/.test(stack) || !fs.existsSync(file)) {
    const stacks = fs.readdirSync(projectDir).map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1]).filter(Boolean);
    throw new Error(`no stack file ${path.basename(file)} in ${projectDir}; stacks here: ${stacks.join(", ") || "none"}`);
  }
  const document = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  const config = document.config ?? {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`${file}: "config" must be a map of key: value`);
  }
  return config as Record<string, unknown>;
}

/** A stack's validated settings from its stack file. Like the Pulumi CLI, it works in the project folder. */
export function stackSettings(stack: string, projectDir = process.cwd()): Settings {
  return parseSettings(readStackConfig(projectDir, stack), { stack, projectDir });
}
