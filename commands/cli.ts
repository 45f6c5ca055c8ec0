// What the verify and diagnose commands share: the report file, error text and exit handling.
import * as fs from "fs";
import * as path from "path";
import { errorText } from "../core/errorText";

export { errorText };

/** Writes the report (for CI artifacts) and returns its path. */
export function writeReport(file: string, text: string): string {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function defaultReportFile(command: "verify" | "diagnose", name: string): string {
  return path.join("reports", `${command}-${name.replace(/[^\w.-]+/g, "_")}.txt`);
}

/** Runs a command's main: its number is the exit code; an error is printed as `<name>: message`, exit 1. */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`${name}: ${errorText(error)}`);
      process.exitCode = 1;
    },
  );
}
