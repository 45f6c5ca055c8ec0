// The rollout scenarios (Standard mode, KServe's webhooks on): a canary InferenceService beside the
// stable, verify --canary, promote --analyze promoting a good canary and rolling back a failing or
// slow one, and a crash-looping canary failing `up`, each while requests go to the stable Service
// and are counted. Run after Scenarios' first ones, on the main stack they leave.
import * as assert from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { analysisLines, analyzeCanary } from "../cluster/canaryAnalysis";
import { observeRollout } from "../cluster/rollout";
import { runChecks } from "../cluster/smoke";
import { condition, Pod } from "../cluster/snapshot";
import { verify } from "../cluster/verify";
import { promote, rollback, runningCanary } from "../commands/rolloutCommands";
import { canaryServiceName } from "../core/canary";
import { CANARY_OF_LABEL } from "../core/manifests";
import { parseSettings, Settings } from "../core/config/settings";
import { derivedImage, serverVariantImage } from "./image";
import { Context, failureExcerpt, MODEL, Recorder, stackConfig } from "./scenarios";
import { StackConfig } from "./stacks";
import { LoadTally, startServiceLoad } from "./serviceLoad";

const CANARY = canaryServiceName(MODEL);
/** The model_version the new-model canary's metadata says. */
const NEW_MODEL_VERSION = "e2e-model-v2";
const ready = (pod: Pod) => condition(pod.status?.conditions, "Ready")?.status === "True";
const uids = (pods: Pod[]) => pods.map((p) => (p.metadata as { uid?: string }).uid ?? "").sort();
const imageOf = (pod: Pod) => pod.spec!.containers[0].image;
/** The timing table's note: what the stable Service answered meanwhile. */
const served = (t: LoadTally) => `${t.requests} requests to the stable Service, ${t.failures} failed`;

export class CanaryScenarios {
  private marked?: string;
  private stablePods: string[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly main: () => Stack,
    private readonly namespace: string,
  ) {}

  private time(what: string, ms: number, budgetMs?: number, note?: string): void {
    this.ctx.timings.push({ what, ms, budgetMs, note });
  }

  /** Two stable replicas, a 20 % canary (one pod), 100 analysis requests a side. */
  private config(stableImage: string, candidate: string): StackConfig {
    return stackConfig(this.namespace, candidate, {
      "model-serving:replicas": { min: 2, max: 2 },
      "model-serving:rollout": { canaryPercent: 20, stableImage, analysis: { requests: 100 } },
      // A failure here should not cost the run ten minutes; scenarios 5 and 6 prove the 600 s case.
      "model-serving:readyTimeoutSeconds": 180,
    });
  }

  private settings(config: StackConfig): Settings {
    return parseSettings(config, { stack: "e2e-main", projectDir: process.cwd() });
  }

  private async stableServing(image: string): Promise<Pod[]> {
    const seen = await observeRollout(this.ctx.api, { name: MODEL, namespace: this.namespace, mode: "Standard", image });
    assert.ok(seen.done, `the stable does not serve ${image}: ${seen.progress}`);
    return seen.pods;
  }

  private async canaryGone(): Promise<void> {
    await this.ctx.cluster.until(`${CANARY} and its pods to go`, 60000, async () =>
      (await this.ctx.cluster.service(this.namespace, CANARY)) || (await this.ctx.cluster.pods(this.namespace, CANARY)).length > 0 ? "present" : true,
    );
  }

  /** Runs `action` while requests go to the stable Service; asserts none failed. (`action` never throws: runs report failure in their result.) */
  private async underLoad<T>(what: string, action: () => Promise<T>): Promise<{ result: T; tally: LoadTally }> {
    const load = await startServiceLoad(this.ctx.api, this.namespace, `${MODEL}-predictor`);
    const result = await action();
    const tally = await load.stop();
    this.ctx.log(`  ${what}: ${tally.requests} requests to Service ${MODEL}-predictor, ${tally.failures} failed; answered by ${JSON.stringify(tally.byVariant)}`);
    assert.strictEqual(tally.failures, 0, `${what}: ${tally.failures} of ${tally.requests} requests to the stable Service failed: ${tally.failed.join("; ")}`);
    return { result, tally };
  }

  /** 9. New server code as a canary: `<name>-canary` beside the untouched stable; verify --canary and plain verify. */
  async canaryUp(record: Recorder): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    this.marked = serverVariantImage(image, "marked");
    await stacks.configure(this.main(), this.config(image, this.marked));
    const run = await stacks.up(this.main());
    assert.ok(run.ok, `up with a canary failed:\n${run.output.slice(-4000)}`);
    this.time("canary up (20 %: 1 pod beside 2 stable) → serving", run.ms);
    const canary = await cluster.service(this.namespace, CANARY);
    assert.strictEqual(canary?.metadata.labels?.[CANARY_OF_LABEL], MODEL);
    assert.strictEqual(condition(canary!.status?.conditions, "Ready")?.status, "True");
    const stable = await this.stableServing(image);
    assert.strictEqual(stable.length, 2);
    const canaryPods = await cluster.pods(this.namespace, CANARY);
    assert.deepStrictEqual(canaryPods.map(imageOf), [this.marked]);
    assert.strictEqual(run.outputs.canaryImageRef, this.marked);
    assert.strictEqual(run.outputs.stableImageRef, image);
    const selected = await cluster.selectedPods(this.namespace, `${MODEL}-predictor`);
    assert.ok(selected.length === 2 && selected.every((p) => imageOf(p) === image), `the stable Service selects ${selected.map(imageOf).join(", ")}`);
    const target = { name: MODEL, namespace: this.namespace, mode: "Standard", image, canaryImage: this.marked };
    const canaryVerified = await verify(api, target, { timeoutMs: 30000, canary: true, log: () => undefined });
    assert.ok(canaryVerified.ok, canaryVerified.report);
    assert.match(canaryVerified.revision ?? "", new RegExp(`^the canary ReplicaSet ${CANARY}-predictor-`));
    const stableVerified = await verify(api, target, { timeoutMs: 30000, log: () => undefined });
    assert.ok(stableVerified.ok, stableVerified.report);
    assert.match(stableVerified.revision ?? "", new RegExp(`^ReplicaSet ${MODEL}-predictor-`));
    await record("standard-canary-serving", this.namespace);
  }

  /** 10. promote --analyze: the good canary measures within the thresholds; the stable rolls over to it with no failed request; the canary goes. */
  async analyzeAndPromote(): Promise<void> {
    const { api } = this.ctx;
    const settings = this.settings(this.config(this.ctx.image, this.marked!));
    const canary = await runningCanary(api, settings);
    const target = { name: MODEL, namespace: this.namespace, mode: "Standard", image: canary.stableImage, canaryImage: canary.image };
    let started = Date.now();
    const analysis = await analyzeCanary(api, target, settings.rollout.analysis, () => undefined);
    this.time(`analysis (${settings.rollout.analysis.requests} requests a side)`, Date.now() - started);
    analysisLines(analysis).forEach((line) => this.ctx.log(`  ${line}`));
    assert.strictEqual(analysis.verdict, "promote", analysis.reasons.join("; "));
    started = Date.now();
    const { result, tally } = await this.underLoad("promote", () => promote(this.main(), settings, canary, () => undefined));
    assert.ok(result.ok, result.output.slice(-3000));
    this.time("promote (rolling update of the stable) → serving", Date.now() - started, undefined, served(tally));
    assert.ok((tally.byVariant.marked ?? 0) > 0, "no request reached the promoted code during the promote");
    this.stablePods = uids(await this.stableServing(this.marked!));
    await this.canaryGone();
  }

  /** 11. Canaries that answer 5xx or answer slower: promote --analyze rolls them back; the stable is untouched and never fails a request. */
  async analyzeAndRollBack(variant: "errors" | "slow"): Promise<void> {
    const { stacks, api } = this.ctx;
    const bad = serverVariantImage(this.ctx.image, variant);
    const config = this.config(this.marked!, bad);
    await stacks.configure(this.main(), config);
    const run = await stacks.up(this.main());
    assert.ok(run.ok, `up with the ${variant} canary failed (its pod serves /health):\n${run.output.slice(-3000)}`);
    const settings = this.settings(config);
    const canary = await runningCanary(api, settings);
    const analysis = await analyzeCanary(api, { name: MODEL, namespace: this.namespace, mode: "Standard", image: canary.stableImage, canaryImage: canary.image }, settings.rollout.analysis, () => undefined);
    analysisLines(analysis).forEach((line) => this.ctx.log(`  ${line}`));
    assert.strictEqual(analysis.verdict, "rollback", analysis.reasons.join("; "));
    assert.match(analysis.reasons.join("\n"), variant === "errors" ? /canary error rate 2\d(\.\d)? % .*: over/ : /canary p99 .*: over/);
    const started = Date.now();
    const { result, tally } = await this.underLoad(`rollback of the ${variant} canary`, () => rollback(this.main(), settings, canary, () => undefined));
    assert.ok(result.ok, result.output.slice(-3000));
    this.time(`promote --analyze refuses the ${variant} canary; rollback → stable alone`, Date.now() - started, undefined, served(tally));
    await this.canaryGone();
    assert.deepStrictEqual(uids(await this.stableServing(this.marked!)), this.stablePods, "the rollback touched the stable's pods");
  }

  /** 11d. A new model (version e2e-model-v2, in an image made from the serving one) as a canary: measured, promoted; the stable Service then answers with the new model_version. */
  async newModel(): Promise<void> {
    const { stacks, api } = this.ctx;
    const model = derivedImage(this.marked!, "model-v2", [
      "USER 0",
      `RUN cp -r /app/models/california-housing /app/models/v2 && sed -i 's/"model_version": "[^"]*"/"model_version": "${NEW_MODEL_VERSION}"/' /app/models/v2/metadata.json`,
      "USER 10001:10001",
      "ENV MODEL_DIR=/app/models/v2",
    ]);
    const config = this.config(this.marked!, model);
    await stacks.configure(this.main(), config);
    const up = await stacks.up(this.main());
    assert.ok(up.ok, `up with the new model as a canary failed:\n${up.output.slice(-3000)}`);
    this.time("new model as a canary → serving", up.ms);
    const settings = this.settings(config);
    const canary = await runningCanary(api, settings);
    const analysis = await analyzeCanary(api, { name: MODEL, namespace: this.namespace, mode: "Standard", image: canary.stableImage, canaryImage: canary.image }, settings.rollout.analysis, () => undefined);
    assert.strictEqual(analysis.verdict, "promote", analysis.reasons.join("; "));
    const started = Date.now();
    const { result, tally } = await this.underLoad("promote of the new model", () => promote(this.main(), settings, canary, () => undefined));
    assert.ok(result.ok, result.output.slice(-3000));
    this.time("promote of the new model → serving", Date.now() - started, undefined, `${served(tally)}; model versions answered: ${JSON.stringify(tally.byModelVersion)}`);
    assert.ok((tally.byModelVersion[NEW_MODEL_VERSION] ?? 0) > 0, `no answer carried the new model version: ${JSON.stringify(tally.byModelVersion)}`);
    this.stablePods = uids(await this.stableServing(model));
    this.marked = model;
    await this.canaryGone();
  }

  /** 11c. A crash-looping canary fails `up` while the stable serves; rollback removes it and leaves the stable untouched. */
  async crashingCanary(record: Recorder): Promise<void> {
    const { stacks, api } = this.ctx;
    const broken = derivedImage(this.marked!, "crashing-canary", ["ENV MODEL_DIR=/nonexistent"]);
    const config = this.config(this.marked!, broken);
    await stacks.configure(this.main(), config);
    const { result: run, tally: during } = await this.underLoad("a crash-looping canary's up", () => stacks.up(this.main()));
    this.time("crash-looping canary → up fails", run.ms, 60000, served(during));
    assert.ok(!run.ok, "up succeeded with a crash-looping canary");
    this.ctx.log(failureExcerpt(run.output));
    await record("standard-canary-crash-loop", this.namespace);
    assert.match(run.output, new RegExp(`rollout failed: the canary ReplicaSet ${CANARY}-predictor-\\S+ .* will not serve: crash-loop`));
    const serving = await this.stableServing(this.marked!);
    assert.deepStrictEqual(uids(serving), this.stablePods, "the stable's pods changed");
    const checks = await runChecks(api, { name: MODEL, namespace: this.namespace }, serving[0], 10000);
    assert.deepStrictEqual(checks.map((c) => c.ok), [true, true, true, true], JSON.stringify(checks));
    const settings = this.settings(config);
    const started = Date.now();
    const running = await runningCanary(api, settings);
    const { result, tally } = await this.underLoad("rollback of the crash-looping canary", () => rollback(this.main(), settings, running, () => undefined));
    assert.ok(result.ok, result.output.slice(-3000));
    this.time("rollback (crash-looping canary) → stable alone", Date.now() - started, undefined, served(tally));
    await this.canaryGone();
    assert.deepStrictEqual(uids(await this.stableServing(this.marked!)), this.stablePods, "the rollback touched the stable's pods");
    assert.ok(serving.every(ready));
  }
}
