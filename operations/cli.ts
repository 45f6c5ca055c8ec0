// What the verify and diagnose commands share: the report file and error text.
import * as fs from "fs";
import * as path from "path";

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
