// How a bad config is reported: one error, one line per bad key, each naming the key, its value
// as written, what is wrong and what to do.
import { closest } from "fastest-levenshtein";
import { z } from "zod";
import { configSchema } from "./schema";
import { PROJECT } from "./types";

/** Config that fails validation: one message, one line per bad key. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid ${PROJECT} config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
    this.name = "SettingsError";
  }
}

/** Records one problem: the key, its value as written, what is wrong and what to do. */
export type Report = (name: string, value: unknown, text: string) => void;

export function collector(): { problems: string[]; problem: Report } {
  const problems: string[] = [];
  return { problems, problem: (name, value, text) => problems.push(`${PROJECT}:${name}: ${JSON.stringify(value)} ${text}`) };
}

export function problemKey(problem: string): string {
  return problem.slice(0, problem.indexOf(": "));
}

function key(pathParts: readonly PropertyKey[]): string {
  return `${PROJECT}:${pathParts.map(String).join(".")}`;
}

const TOP_LEVEL_KEYS = Object.keys(configSchema.shape);

export function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknown) => {
      const known = issue.path.length === 0 ? TOP_LEVEL_KEYS : Object.keys((issue.input as Record<string, unknown>) ?? {}).filter((k) => k !== unknown);
      const hint = issue.path.length === 0 ? ` (did you mean "${key([nearestKey(unknown, known)])}"?)` : "";
      return `${key([...issue.path, unknown])}: is not a setting of this program${hint}; see the README's config table`;
    });
  }
  // A bad map key (env names) carries its own rule's message inside.
  const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
  const shown = issue.input === undefined ? "" : `${JSON.stringify(issue.input)} `;
  return [`${key(issue.path)}: ${shown}${message}`];
}

/** The known key a misspelt one most likely meant: one contained in the other, else the closest spelling. */
function nearestKey(unknown: string, known: string[]): string {
  const lower = unknown.toLowerCase();
  return known.find((k) => lower.includes(k.toLowerCase()) || k.toLowerCase().includes(lower)) ?? closest(unknown, known);
}

