// The user's own path: the `pulumi` CLI on the project directory with a real Pulumi.<stack>.yaml,
// as the README's quick start and the workflows run it (stack init, preview --diff with the policy
// pack, up, a no-op up, a policy violation that stops a preview, destroy), each timed.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { condition } from "../cluster/snapshot";
import { run } from "../test/helpers/runProcess";
import { Context, MODEL, stackConfig } from "./scenarios";
import { serverVariantImage } from "./image";

const ROOT = path.resolve(__dirname, "..");
export const CLI_STACK = "e2e-cli";
export const CLI_NAMESPACE = "e2e-cli";

interface CliRun {
  readonly code: number | null;
  readonly ms: number;
  readonly output: string;
  readonly stdout: string;
}

export class CliScenarios {
  private readonly stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "model-serving-e2e-cli-state-"));
  private readonly stackFile = path.join(ROOT, `Pulumi.${CLI_STACK}.yaml`);

  constructor(private readonly ctx: Context) {}

  /** One `pulumi` command on the project directory, bounded in time, with its output. */
  private async pulumi(args: string[], timeoutMs = 180000): Promise<CliRun> {
    return this.command("pulumi", [...args, "--non-interactive", "--color", "never"], timeoutMs);
  }

  /** A command on the project directory with the CLI stack's backend (pulumi, or npm run …). */
  private async command(tool: string, args: string[], timeoutMs: number): Promise<CliRun> {
    const env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${this.stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // Every run would otherwise retry downloading the aws, docker, eks and random plugins, which
      // this ground cannot fetch (~2.5 s a run); a user's machine installs them once.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ?? "true",
    };
    const start = Date.now();
    const result = await run(tool, args, ROOT, timeoutMs, env);
    return { code: result.status, ms: Date.now() - start, output: result.stdout + result.stderr, stdout: result.stdout };
  }

  private expectOk(result: CliRun, what: string): void {
    assert.strictEqual(result.code, 0, `${what} exited ${result.code}:\n${result.output.slice(-4000)}`);
  }

  private time(what: string, ms: number, budgetMs?: number, note?: string): void {
    this.ctx.timings.push({ what: `CLI: ${what}`, ms, budgetMs, note });
  }

  /** `pulumi stack init`, then the stack file a user writes. */
  async init(): Promise<void> {
    const init = await this.pulumi(["stack", "init", CLI_STACK]);
    this.expectOk(init, "pulumi stack init");
    const config = Object.fromEntries(Object.entries(stackConfig(CLI_NAMESPACE, this.ctx.image, { "model-serving:readyTimeoutSeconds": 300 })));
    fs.writeFileSync(this.stackFile, YAML.stringify({ config }));
  }

  /** `pulumi preview --diff --policy-pack policy`, then a plain preview: what a reviewer waits for. */
  async preview(): Promise<void> {
    const withPack = await this.pulumi(["preview", "-s", CLI_STACK, "--diff", "--policy-pack", "policy"]);
    this.expectOk(withPack, "pulumi preview --diff --policy-pack policy");
    assert.match(withPack.output, /\+ kubernetes:serving\.kserve\.io\/v1beta1:InferenceService/, "the diff shows the InferenceService to create");
    assert.match(withPack.output, /kserve-guardrails/, "the policy pack ran");
    this.time("preview --diff --policy-pack policy", withPack.ms, 7000);
    const plain = await this.pulumi(["preview", "-s", CLI_STACK]);
    this.expectOk(plain, "pulumi preview");
    this.time("preview", plain.ms, 5000);
    assert.strictEqual(await this.ctx.cluster.namespace(CLI_NAMESPACE), null, "a preview created the namespace");
  }

  /** `pulumi up --yes --policy-pack policy` → serving; then a no-op `pulumi up --yes`. */
  async up(): Promise<void> {
    const first = await this.pulumi(["up", "-s", CLI_STACK, "--yes", "--policy-pack", "policy"]);
    this.expectOk(first, "pulumi up --yes --policy-pack policy");
    this.time("first up --policy-pack policy → serving", first.ms, 15000);
    const service = await this.ctx.cluster.service(CLI_NAMESPACE, MODEL);
    assert.strictEqual(condition(service?.status?.conditions, "Ready")?.status, "True", "not Ready after up");
    assert.match(first.output, /serving: ReplicaSet/, "up reported what serves");
    const again = await this.pulumi(["up", "-s", CLI_STACK, "--yes"]);
    this.expectOk(again, "no-op pulumi up --yes");
    if (process.env.E2E_VERBOSE) this.ctx.log(again.output);
    assert.doesNotMatch(again.output, /^\s+[+~-]\s+kubernetes:/m, "a no-op up changed a resource");
    this.time("no-op up", again.ms, 8000);
  }

  /** A canary through `pulumi up`, then `npm run promote -- <stack> --analyze --json`: measured, promoted, written to the stack file. */
  async promoteAnalyzed(): Promise<void> {
    const candidate = serverVariantImage(this.ctx.image, "marked");
    const file = YAML.parse(fs.readFileSync(this.stackFile, "utf8"));
    file.config["model-serving:image"] = candidate;
    file.config["model-serving:rollout"] = { canaryPercent: 50, stableImage: this.ctx.image, analysis: { requests: 50 } };
    fs.writeFileSync(this.stackFile, YAML.stringify(file));
    const up = await this.pulumi(["up", "-s", CLI_STACK, "--yes", "--policy-pack", "policy"]);
    this.expectOk(up, "pulumi up with a canary");
    assert.match(up.output, /\+ .*kubernetes:serving\.kserve\.io\/v1beta1:InferenceService .*create/, "the canary InferenceService is created");
    this.time("up with a canary → serving", up.ms);
    const promote = await this.command("npm", ["run", "--silent", "promote", "--", CLI_STACK, "--analyze", "--json"], 300000);
    this.expectOk(promote, "npm run promote -- --analyze --json");
    const report = JSON.parse(promote.stdout.trim().split("\n").pop()!);
    assert.strictEqual(report.verdict, "promote", promote.output.slice(-3000));
    assert.deepStrictEqual([report.stable.requests, report.canary.requests, report.exitCode], [50, 50, 0]);
    this.time("npm run promote -- --analyze → promoted, serving", promote.ms, undefined, `p99 stable ${report.stable.p99Ms} ms, canary ${report.canary.p99Ms} ms`);
    const written = YAML.parse(fs.readFileSync(this.stackFile, "utf8")).config["model-serving:rollout"];
    assert.strictEqual(written.stableImage, candidate, "promote did not write rollout.stableImage to the stack file");
    await this.ctx.cluster.until("the canary InferenceService to go", 60000, async () => ((await this.ctx.cluster.service(CLI_NAMESPACE, `${MODEL}-canary`)) ? "present" : true));
  }

  /** A mandatory rule (here the memory floor, made mandatory and raised by the pack's config) stops the preview. */
  async policyViolation(): Promise<void> {
    const configFile = path.join(this.stateDir, "guardrails.json");
    fs.writeFileSync(configFile, JSON.stringify({ "kserve-memory-limit-minimum": { enforcementLevel: "mandatory", minMemoryLimit: "2Gi" } }));
    const run = await this.pulumi(["preview", "-s", CLI_STACK, "--policy-pack", "policy", "--policy-pack-config", configFile]);
    assert.notStrictEqual(run.code, 0, `the preview passed despite the violation:\n${run.output.slice(-3000)}`);
    assert.match(run.output, /mandatory/);
    assert.match(run.output, /kserve-memory-limit-minimum/);
    assert.match(run.output, /resources\.limits\.memory is 512Mi, under the 2Gi the model server needs/);
    this.time("preview stopped by a mandatory policy", run.ms);
  }

  /** `pulumi destroy --yes` removes the namespace it created; the stack goes. */
  async destroy(): Promise<void> {
    const run = await this.pulumi(["destroy", "-s", CLI_STACK, "--yes"], 300000);
    this.expectOk(run, "pulumi destroy --yes");
    this.time("destroy", run.ms, 60000);
    await this.ctx.cluster.untilNamespaceGone(CLI_NAMESPACE, 120000);
  }

  /** Removes the stack, its file and its state, whatever happened. */
  async cleanup(): Promise<void> {
    await this.pulumi(["destroy", "-s", CLI_STACK, "--yes"], 300000).catch(() => undefined);
    await this.pulumi(["stack", "rm", CLI_STACK, "--yes", "--force"]).catch(() => undefined);
    fs.rmSync(this.stackFile, { force: true });
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
