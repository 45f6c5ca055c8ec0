// What the verify and diagnose commands share: the stack's settings (through the program's own
// settings module), the report file, and error text.
import * as fs from "fs";
import * as path from "path";
import { parseSettings, Settings } from "../components/settings";
import { readStackConfig } from "../components/stackFile";

/** Like the Pulumi CLI, the project folder is where npm runs the script. */
export function stackSettings(stack: string, projectDir = process.cwd()): Settings {
  return parseSettings(readStackConfig(projectDir, stack), { stack, projectDir });
}

/** Writes the report (for CI artifacts) and returns its path. */
export function writeReport(file: string, text: string): string {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function defaultReportFile(command: "verify" | "diagnose", name: string): string {
  return path.join("reports", `${command}-${name.replace(/[^\w.-]+/g, "_")}.txt`);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
