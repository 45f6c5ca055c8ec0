// Reading a stack's config: the schema per value, then the defaults, then the rules between keys;
// throws one SettingsError naming every bad key, before any resource exists.
import { z } from "zod";
import { checkRules } from "./rules";
import { applyDefaults } from "./defaults";
import { describeIssue, problemKey, SettingsError } from "./problems";
import { configSchema } from "./schema";
import { PROJECT, Settings } from "./types";

export interface ParseOptions {
  /** Stack name: part of the default ECR repository name. */
  readonly stack: string;
  /** Where `build.context` and `build.dockerfile` are relative to. @default process.cwd() */
  readonly projectDir?: string;
}

/**
 * Settings from a stack's config map (`model-serving:port` → 8000, `aws:region` → "..."), as
 * `Pulumi.<stack>.yaml` holds it. Throws SettingsError naming every bad key.
 */
export function parseSettings(config: Record<string, unknown>, options: ParseOptions): Settings {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${PROJECT}:`)) {
      own[key.slice(PROJECT.length + 1)] = value;
    }
  }
  const parsed = configSchema.safeParse(own, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  // With bad values left out, the rules between keys still run, so one error lists every bad key.
  const raw = parsed.success ? parsed.data : configSchema.safeParse(withoutBadValues(own, parsed.error.issues)).data;
  if (raw) {
    const settings = applyDefaults(raw, options.stack, stringOrUndefined(config["aws:region"]));
    const reported = new Set(problems.map(problemKey));
    // A list that lost bad elements may look empty to the rules: they wait on its section.
    const trimmed = parsed.success ? [] : parsed.error.issues.filter((i) => i.path.some((part) => typeof part === "number")).map((i) => `${PROJECT}:${String(i.path[0])}.`);
    const followsUp = (p: string) => reported.has(problemKey(p)) || trimmed.some((section) => p.startsWith(section));
    problems.push(...checkRules(settings, raw, options.projectDir ?? process.cwd()).filter((p) => !followsUp(p)));
    if (problems.length === 0) {
      return settings;
    }
  }
  throw new SettingsError(problems);
}

/** A copy of the config without the values the schema refused. */
function withoutBadValues(own: Record<string, unknown>, issues: z.core.$ZodIssue[]): Record<string, unknown> {
  const copy = structuredClone(own);
  for (const issue of issues) {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const where of paths) {
      const parent = where.slice(0, -1).reduce<any>((node, part) => node?.[part as string], copy);
      if (parent && typeof parent === "object") {
        delete parent[where[where.length - 1] as string];
      }
    }
  }
  return withoutHoles(copy) as Record<string, unknown>;
}

/** Lists with their deleted elements closed up, so a bad element leaves the rest of its list valid. */
function withoutHoles(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.filter(() => true).map(withoutHoles);
  }
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withoutHoles(v)]));
  }
  return node;
}

/**
 * Pulumi hands every config value over as a string, maps and lists as JSON. Only those are
 * decoded here: the schema reads numbers and booleans from text itself, so a name such as
 * "123" stays a string, exactly as the stack file (and so render) has it.
 */
export function decodeConfigValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) {
    return value;
  }
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

