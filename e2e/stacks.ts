// Stacks driven through the real Pulumi engine with the Automation API: an inline program that
// runs the same function as index.ts, state in a file backend in a temporary folder.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { modelServingProgram } from "../components/program";
import { PROJECT } from "../core/config/settings";

/** A stack's config as a stack file writes it: `model-serving:*` keys, maps as objects. */
export type StackConfig = Record<string, unknown>;

export interface Run {
  readonly ok: boolean;
  readonly ms: number;
  /** Everything the engine printed (the diff, the progress lines, the error). */
  readonly output: string;
  /** Resource steps: `op type`, e.g. "create kubernetes:core/v1:Namespace". */
  readonly steps: string[];
  readonly outputs: Record<string, unknown>;
}

export class E2EStacks {
  private readonly stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "model-serving-e2e-state-"));

  /** A new stack with this config (an earlier one of the same name is replaced). */
  async create(name: string, config: StackConfig): Promise<Stack> {
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: name, projectName: PROJECT, program: async () => modelServingProgram() },
      {
        projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${this.stateDir}` } },
        // The backend is named here too: an ambient PULUMI_BACKEND_URL would otherwise win over the project's.
        envVars: { PULUMI_BACKEND_URL: `file://${this.stateDir}`, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "e2e", PULUMI_SKIP_UPDATE_CHECK: "true" },
      },
    );
    await this.configure(stack, config);
    return stack;
  }

  /** Replaces the stack's config; maps are set key by key (`--path`), as a stack file nests them. */
  async configure(stack: Stack, config: StackConfig): Promise<void> {
    for (const key of Object.keys(await stack.getAllConfig())) {
      await stack.removeConfig(key);
    }
    const leaves = (prefix: string, value: unknown): [string, { value: string }][] =>
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => leaves(`${prefix}.${k}`, v))
        : [[prefix, { value: String(value) }]];
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).flatMap(([key, value]) => leaves(key, value))), true);
  }

  async preview(stack: Stack): Promise<Run> {
    return this.timed((onOutput, onEvent) => stack.preview({ onOutput, onEvent, color: "never" }).then(() => ({})));
  }

  async up(stack: Stack): Promise<Run> {
    return this.timed((onOutput, onEvent) =>
      stack.up({ onOutput, onEvent, color: "never" }).then((r) => Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]))),
    );
  }

  async destroy(stack: Stack): Promise<Run> {
    return this.timed((onOutput, onEvent) => stack.destroy({ onOutput, onEvent, color: "never" }).then(() => ({})));
  }

  /** Destroys what is left and removes the stack; for cleanup, so it never throws. */
  async remove(stack: Stack): Promise<void> {
    await stack.destroy({ color: "never" }).catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  }

  cleanup(): void {
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }

  private async timed(
    operation: (onOutput: (text: string) => void, onEvent: (event: EngineEvent) => void) => Promise<Record<string, unknown>>,
  ): Promise<Run> {
    let output = "";
    const steps: string[] = [];
    const onEvent = (event: EngineEvent) => {
      const step = event.resourcePreEvent?.metadata;
      if (step && step.op !== "same") steps.push(`${step.op} ${step.type}`);
    };
    const start = Date.now();
    try {
      // E2E_VERBOSE: every engine line as it comes, with the time since the operation began.
      const onOutput = (text: string) => {
        output += text;
        if (process.env.E2E_VERBOSE) process.stdout.write(text.replace(/^(?=.)/gm, `[${((Date.now() - start) / 1000).toFixed(1)}s] `));
      };
      const outputs = await operation(onOutput, onEvent);
      return { ok: true, ms: Date.now() - start, output, steps, outputs };
    } catch (e) {
      // The engine's own error text is in its output already; keep the wrapper's too.
      return { ok: false, ms: Date.now() - start, output: `${output}\n${e instanceof Error ? e.message : String(e)}`, steps, outputs: {} };
    }
  }
}
