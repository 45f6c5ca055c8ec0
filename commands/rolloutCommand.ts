// What npm run promote and npm run rollback share: the stack, its settings, the cluster and the
// Automation API stack of this project folder (its own backend and Pulumi.<stack>.yaml).
import { parseArgs, ParseArgsConfig } from "util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { modelServingProgram } from "../components/program";
import { PROJECT, Settings } from "../core/config/settings";
import { runCommand } from "./cli";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { CommandResult, requireCanaries, RunningCanary, runningCanary } from "./rolloutCommands";
import { stackSettings } from "../core/config/stackFile";
import type { Stack } from "@pulumi/pulumi/automation";

export interface RolloutContext {
  readonly settings: Settings;
  readonly api: KubeApi;
  readonly canary: RunningCanary;
  /** Opened only when the config is about to change. */
  readonly stack: () => Promise<Stack>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `<stack> [--kubeconfig FILE]` plus `extra` options, reads the running canary (refused
 * before the cluster or Pulumi is touched when the stack makes none) and runs `body`; its number
 * is the exit code.
 */
export function rolloutCommand(
  name: string,
  usage: string,
  extra: Options,
  body: (context: RolloutContext, values: Record<string, string | boolean | undefined>) => Promise<number>,
): void {
  runCommand(name, async (argv) => {
    const parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" }, kubeconfig: { type: "string" }, ...extra } });
    const positionals = parsed.positionals;
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help || positionals.length !== 1) {
      (values.help ? console.log : console.error)(usage);
      return values.help ? 0 : 2;
    }
    const settings = stackSettings(positionals[0]);
    requireCanaries(settings);
    const api = new KubeApi(loadKubeConfig(values.kubeconfig as string | undefined));
    const canary = await runningCanary(api, settings);
    const stack = () => LocalWorkspace.selectStack({ stackName: positionals[0], projectName: PROJECT, program: async () => modelServingProgram() }, { workDir: process.cwd() });
    return body({ settings, api, canary, stack }, values);
  });
}

/** The exit code of a config change that ran the program: 0 only if the update serves. */
export function exitCode(result: CommandResult): number {
  return result.ok ? 0 : 1;
}
