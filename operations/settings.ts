// A stack's settings for the operating commands, through the program's own settings module
// (never another reading of the config).
import { parseSettings, Settings } from "../components/settings";
import { readStackConfig } from "../components/stackFile";

/** Like the Pulumi CLI, the project folder is where npm runs the script. */
export function stackSettings(stack: string, projectDir = process.cwd()): Settings {
  return parseSettings(readStackConfig(projectDir, stack), { stack, projectDir });
}
