// What npm run promote and npm run rollback share: the stack, its settings, the cluster and the
// Automation API stack of this project folder (its own backend and Pulumi.<stack>.yaml).
import { parseArgs } from "util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { modelServingProgram } from "../components/program";
import { PROJECT, Settings } from "../core/config/settings";
import { runCommand } from "./cli";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { CommandResult, requireCanaries, RunningCanary, runningCanary } from "./rolloutCommands";
import { stackSettings } from "../core/config/stackFile";
import type { Stack } from "@pulumi/pulumi/automation";

export function rolloutCommand(
  name: "promote" | "rollback",
  what: string,
  run: (stack: Stack, s: Settings, canary: RunningCanary, log: (line: string) => void) => Promise<CommandResult>,
): void {
  const usage = `usage: npm run --silent ${name} -- <stack> [--kubeconfig FILE]\n  ${what}\n  Then runs the program (the same code as \`pulumi up\`) on the stack; exit 0 only if the update serves.`;
  runCommand(name, async (argv) => {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" }, kubeconfig: { type: "string" } } });
    if (values.help || positionals.length !== 1) {
      (values.help ? console.log : console.error)(usage);
      return values.help ? 0 : 2;
    }
    const settings = stackSettings(positionals[0]);
    // Refused before the cluster or Pulumi is touched when there is nothing to do.
    requireCanaries(settings);
    const canary = await runningCanary(new KubeApi(loadKubeConfig(values.kubeconfig)), settings);
    const stack = await LocalWorkspace.selectStack({ stackName: positionals[0], projectName: PROJECT, program: async () => modelServingProgram() }, { workDir: process.cwd() });
    const result = await run(stack, settings, canary, (line) => console.log(line));
    return result.ok ? 0 : 1;
  });
}
