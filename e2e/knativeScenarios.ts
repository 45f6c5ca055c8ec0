// Knative mode on the toolchain's Knative Serving 1.21 (Traefik as the ingress): the program's
// own stack in KServe's Knative mode, requests through the ingress by the route's host name.
import * as assert from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { observeRollout } from "../cluster/rollout";
import { condition, Pod, REVISION_LABEL } from "../cluster/snapshot";
import { CONTAINER_NAME } from "../core/manifests";
import { verify } from "../cluster/verify";
import { promote, rollback, runningCanary } from "../commands/rolloutCommands";
import { analysisLines, analyzeCanary } from "../cluster/canaryAnalysis";
import { parseSettings } from "../core/config/settings";
import { readStackConfig } from "../core/config/stackFile";
import { derivedImage, serverVariantImage } from "./image";
import { LISTEN_DELAY_SECONDS } from "./slowStart";
import { INGRESS, ingressLoad, IngressTally, sendThroughIngress } from "./ingress";
import { Context, failureExcerpt, MODEL, Recorder, stackConfig } from "./scenarios";
import { StackConfig } from "./stacks";

export const KNATIVE_NAMESPACE = "e2e-knative";
export const KNATIVE_MISSING_NAMESPACE = "e2e-knative-missing";
export const KNATIVE_SLOW_NAMESPACE = "e2e-knative-slow";
export const KNATIVE_ZERO_NAMESPACE = "e2e-knative-zero";
export const KNATIVE_FAILED_NAMESPACE = "e2e-knative-failed";
/** Stands for the lab's Kubeflow profile namespace (kubeflow-user01), which exists only there. */
export const KNATIVE_DEV_NAMESPACE = "e2e-dev";
/** Small requests: a failed Revision keeps its pod (and its CPU request) until Knative's progress deadline. */
const SMALL = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };

const ready = (pod: Pod) => condition(pod.status?.conditions, "Ready")?.status === "True";
const share = (t: IngressTally, variant: string) => (100 * (t.byVariant[variant] ?? 0)) / Math.max(1, t.requests - t.failures);

export class KnativeScenarios {
  private stack?: Stack;
  private marked?: string;
  private host = "";

  constructor(private readonly ctx: Context) {}

  private time(what: string, ms: number, budgetMs?: number, note?: string): void {
    this.ctx.timings.push({ what, ms, budgetMs, note, mode: "Knative" });
  }

  private config(image: string, extra: StackConfig = {}): StackConfig {
    return stackConfig(KNATIVE_NAMESPACE, image, { "model-serving:deploymentMode": "Knative", "model-serving:resources": SMALL, "model-serving:readyTimeoutSeconds": 180, ...extra });
  }

  /**
   * Removes a scenario's own stack and waits (bounded) for its namespace to go: on 2 cores a
   * Knative namespace still draining beside the next scenario's first up doubled that up's time
   * (19 s against 7.5–7.9 s in reruns), which measured the neighbour, not the deploy.
   */
  private async removeAndSettle(stack: Stack, namespace: string): Promise<void> {
    await this.ctx.stacks.remove(stack);
    await this.ctx.cluster.untilNamespaceGone(namespace, 120000).catch(() => undefined);
  }

  private async up(config: StackConfig) {
    await this.ctx.stacks.configure(this.stack!, config);
    return this.ctx.stacks.up(this.stack!);
  }

  /** K1. First up → serving through the ingress; verify. */
  async firstUp(record: Recorder): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    this.stack = await stacks.create("e2e-knative", this.config(image));
    const run = await stacks.up(this.stack);
    assert.ok(run.ok, `first up (Knative) failed:\n${run.output.slice(-4000)}`);
    this.time("first up → serving", run.ms, 15000);
    const service = await cluster.service(KNATIVE_NAMESPACE, MODEL);
    assert.strictEqual(condition(service?.status?.conditions, "Ready")?.status, "True");
    this.host = new URL(service!.status!.url!).host;
    const answers = await sendThroughIngress(this.host, 20);
    assert.strictEqual(answers.failures, 0, `through the ingress (Host ${this.host}): ${answers.failed.join("; ")}`);
    const verified = await verify(api, { name: MODEL, namespace: KNATIVE_NAMESPACE, mode: "Knative", image }, { timeoutMs: 30000, log: () => undefined });
    assert.ok(verified.ok, verified.report);
    await record("knative-serving", KNATIVE_NAMESPACE);
  }

  /** K2. No-op up. */
  async noOpUp(): Promise<void> {
    const run = await this.ctx.stacks.up(this.stack!);
    assert.ok(run.ok, run.output.slice(-3000));
    assert.deepStrictEqual(run.steps, [], "a no-op up changed something");
    this.time("no-op up", run.ms, 8000);
  }

  /** K2b. A good update (a memory limit) makes a new Revision, and up returns once its pods serve. */
  async goodUpdate(): Promise<void> {
    const { cluster, image } = this.ctx;
    const before = (await cluster.service(KNATIVE_NAMESPACE, MODEL))?.status?.components?.predictor?.latestReadyRevision;
    const run = await this.up(this.config(image, { "model-serving:resources": { ...SMALL, limits: { ...SMALL.limits, memory: "640Mi" } } }));
    assert.ok(run.ok, `good update (Knative) failed:\n${run.output.slice(-3000)}`);
    this.time("good update (resources) → serving", run.ms);
    // Read at once: had up returned early, the new Revision would not be the latest ready one yet.
    const latest = (await cluster.service(KNATIVE_NAMESPACE, MODEL))?.status?.components?.predictor?.latestReadyRevision;
    assert.ok(latest && latest !== before, `no new ready Revision when up returned (before ${before}, now ${latest})`);
    const pods = (await cluster.pods(KNATIVE_NAMESPACE, MODEL)).filter((p) => p.metadata.labels?.[REVISION_LABEL] === latest);
    assert.ok(pods.length >= 1 && pods.every(ready), `the new Revision's pods are not Ready when up returns`);
    for (const pod of pods) assert.strictEqual(pod.spec!.containers.find((c) => c.name === CONTAINER_NAME)!.resources?.limits?.memory, "640Mi");
  }

  /** K3. A crash-looping update fails up with the cause while the old Revision answers every request. */
  async badUpdate(record: Recorder): Promise<void> {
    const load = ingressLoad(this.host);
    const run = await this.up(this.config(this.ctx.image, { "model-serving:env": { MODEL_DIR: "/nonexistent" } }));
    const tally = await load.stop();
    this.time("crash-looping update → up fails", run.ms, 60000, `${tally.requests} requests through the ingress, ${tally.failures} failed`);
    assert.ok(!run.ok, "up succeeded on a crash-looping update");
    this.ctx.log(failureExcerpt(run.output));
    assert.match(run.output, /will not serve: crash-loop/);
    assert.match(run.output, /`model-serving:env`/);
    await record("knative-crash-loop-update", KNATIVE_NAMESPACE);
    assert.strictEqual(tally.failures, 0, `the old Revision failed requests: ${tally.failed.join("; ")}`);
    const fixed = await this.up(this.config(this.ctx.image));
    assert.ok(fixed.ok, `up after reverting failed:\n${fixed.output.slice(-3000)}`);
    this.time("fixing the bad update → serving", fixed.ms);
  }

  /**
   * K3b. A readiness path the server does not have: queue-proxy tells the kubelet 503 whatever the
   * server said, so the 404 comes from queue-proxy's log; up fails at once naming the key, while
   * the old Revision answers every request.
   */
  async wrongProbePath(record: Recorder): Promise<void> {
    const load = ingressLoad(this.host);
    const run = await this.up(this.config(this.ctx.image, { "model-serving:probes": { readiness: { path: "/nope" } } }));
    const tally = await load.stop();
    this.time("readiness path that does not exist → up fails", run.ms, 60000, `${tally.requests} requests through the ingress, ${tally.failures} failed`);
    assert.ok(!run.ok, "up succeeded with a readiness path the server does not have");
    this.ctx.log(failureExcerpt(run.output));
    assert.match(run.output, /will not serve: probe-failing/);
    assert.match(run.output, /got status code: 404/, "the evidence quotes what queue-proxy saw");
    assert.match(run.output, /`model-serving:probes\.readiness\.path` is "\/nope"/);
    await record("knative-probe-path", KNATIVE_NAMESPACE);
    assert.strictEqual(tally.failures, 0, `the old Revision failed requests: ${tally.failed.join("; ")}`);
    const fixed = await this.up(this.config(this.ctx.image));
    assert.ok(fixed.ok, `up after fixing the path failed:\n${fixed.output.slice(-3000)}`);
  }

  /** K4. A 20 % canary: the share measured through the ingress; verify --canary on the canary Revision, verify on the stable one. */
  async canary(record: Recorder): Promise<void> {
    const { image, api } = this.ctx;
    this.marked = serverVariantImage(image, "marked");
    const run = await this.up(this.config(this.marked, { "model-serving:rollout": { canaryPercent: 20, stableImage: image } }));
    assert.ok(run.ok, `up with a canary failed:\n${run.output.slice(-4000)}`);
    this.time("canary up (20 %) → serving", run.ms);
    await record("knative-canary-serving", KNATIVE_NAMESPACE);
    const tally = await sendThroughIngress(this.host, 400);
    const measured = share(tally, "marked");
    this.time("400 requests through the ingress", 0, undefined, `canary share ${measured.toFixed(1)} % (20 % configured), ${tally.failures} failed`);
    assert.strictEqual(tally.failures, 0, tally.failed.join("; "));
    assert.ok(Math.abs(measured - 20) <= 5, `the canary answered ${measured.toFixed(1)} % of 400 requests, not 20 ± 5`);
    const target = { name: MODEL, namespace: KNATIVE_NAMESPACE, mode: "Knative", image, canaryImage: this.marked };
    const canary = await verify(api, target, { timeoutMs: 30000, canary: true, log: () => undefined });
    assert.ok(canary.ok, canary.report);
    const stable = await verify(api, target, { timeoutMs: 30000, log: () => undefined });
    assert.ok(stable.ok, stable.report);
    assert.notStrictEqual(canary.revision?.replace(/^the canary /, ""), stable.revision, "verify and verify --canary tested the same Revision");
  }

  /** K5. Rollback: never more than the canary's share to the canary while it happens. */
  async rollback(): Promise<void> {
    const { image, api } = this.ctx;
    const config = this.config(this.marked!, { "model-serving:rollout": { canaryPercent: 20, stableImage: image } });
    const settings = parseSettings(config, { stack: "e2e-knative", projectDir: process.cwd() });
    const running = await runningCanary(api, settings);
    const load = ingressLoad(this.host);
    const started = Date.now();
    const result = await rollback(this.stack!, settings, running, (line) => this.ctx.log(`    ${line}`));
    const during = await load.stop();
    const canaryShare = share(during, "marked");
    this.time("rollback → stable alone", Date.now() - started, undefined, `${during.requests} requests through the ingress, ${during.failures} failed, canary answered ${canaryShare.toFixed(1)} %`);
    assert.ok(result.ok, result.output.slice(-3000));
    assert.strictEqual(during.failures, 0, during.failed.join("; "));
    assert.ok(canaryShare <= 25, `the canary answered ${canaryShare.toFixed(1)} % of the requests during the rollback`);
    const after = await sendThroughIngress(this.host, 50);
    assert.strictEqual(after.byVariant.marked ?? 0, 0, "the canary still answers after the rollback");
    const seen = await observeRollout(api, { name: MODEL, namespace: KNATIVE_NAMESPACE, mode: "Knative", image });
    assert.ok(seen.done, seen.progress);
    // What is left is what the program declares: no canary field, the latest Revision at 100 %.
    const service = await this.ctx.cluster.service(KNATIVE_NAMESPACE, MODEL);
    assert.strictEqual(service!.spec!.predictor!.canaryTrafficPercent, undefined, "canaryTrafficPercent was left on the service");
    const traffic = (service!.status!.components!.predictor as { traffic?: { latestRevision?: boolean; percent?: number }[] }).traffic;
    assert.deepStrictEqual(traffic?.map((t) => [t.latestRevision, t.percent]), [[true, 100]]);
  }

  /** K5b. The canary again, then promote --analyze: measured against the stable Revision, promoted with no failed request; then all traffic is the canary's. */
  async analyzeAndPromote(): Promise<void> {
    const { image, api } = this.ctx;
    const config = this.config(this.marked!, { "model-serving:rollout": { canaryPercent: 20, stableImage: image, analysis: { requests: 100 } } });
    const run = await this.up(config);
    assert.ok(run.ok, `up with the canary again failed:\n${run.output.slice(-3000)}`);
    const settings = parseSettings(config, { stack: "e2e-knative", projectDir: process.cwd() });
    const running = await runningCanary(api, settings);
    const analysis = await analyzeCanary(api, { name: MODEL, namespace: KNATIVE_NAMESPACE, mode: "Knative", image: running.stableImage, canaryImage: running.image }, settings.rollout.analysis, () => undefined);
    analysisLines(analysis).forEach((line) => this.ctx.log(`  ${line}`));
    assert.strictEqual(analysis.verdict, "promote", analysis.reasons.join("; "));
    assert.notStrictEqual(analysis.stablePod, analysis.canaryPod);
    const load = ingressLoad(this.host);
    const started = Date.now();
    const result = await promote(this.stack!, settings, running, () => undefined);
    const during = await load.stop();
    this.time("promote --analyze → the canary takes 100 %", Date.now() - started, undefined, `${during.requests} requests through the ingress, ${during.failures} failed`);
    assert.ok(result.ok, result.output.slice(-3000));
    assert.strictEqual(during.failures, 0, during.failed.join("; "));
    const after = await sendThroughIngress(this.host, 50);
    assert.strictEqual(after.byVariant.marked, 50, `after the promote: ${JSON.stringify(after.byVariant)}`);
  }

  /** K7. A first deploy of a digest that does not exist fails fast with image-not-found. */
  async missingDigest(): Promise<void> {
    const { stacks, image } = this.ctx;
    const missing = `${image.slice(0, image.indexOf("@"))}@sha256:${"0".repeat(64)}`;
    const stack = await stacks.create("e2e-knative-missing", stackConfig(KNATIVE_MISSING_NAMESPACE, missing, { "model-serving:deploymentMode": "Knative", "model-serving:resources": SMALL }));
    try {
      const run = await stacks.up(stack);
      this.time("missing digest → up fails", run.ms, 60000);
      assert.ok(!run.ok, "up succeeded with an image that does not exist");
      this.ctx.log(failureExcerpt(run.output));
      assert.match(run.output, /will not serve: image-not-found/);
      assert.match(run.output, /`model-serving:image`/);
    } finally {
      await this.removeAndSettle(stack, KNATIVE_MISSING_NAMESPACE);
    }
  }

  /**
   * K7b. A first deploy whose server exits at start fails up (crash-loop); once Knative's progress
   * deadline (readyTimeoutSeconds, 30 s here) passes, Knative scales the failed Revision's pods
   * away, and verify still names the cause from the RevisionFailed condition alone.
   */
  async revisionFailed(record: Recorder): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    const config = stackConfig(KNATIVE_FAILED_NAMESPACE, image, {
      "model-serving:deploymentMode": "Knative",
      "model-serving:resources": SMALL,
      "model-serving:readyTimeoutSeconds": 30,
      "model-serving:env": { MODEL_DIR: "/nonexistent" },
    });
    const stack = await stacks.create("e2e-knative-failed", config);
    try {
      const run = await stacks.up(stack);
      assert.ok(!run.ok, "up succeeded with a server that exits at start");
      // While its pods crash-loop the kubelet's back-off decides; Knative's RevisionFailed (set at the first exit) alone does not.
      assert.match(run.output, /will not serve: crash-loop\n/);
      // Knative marks the Revision failed at a first exit; KServe copies it while the pods still crash-loop.
      await cluster.until("KServe to report the Revision failed", 60000, async () => {
        const conditions = (await cluster.service(KNATIVE_FAILED_NAMESPACE, MODEL))?.status?.conditions ?? [];
        return conditions.some((c) => c.reason === "RevisionFailed") ? true : "not yet";
      });
      await record("knative-first-deploy-crash-loop", KNATIVE_FAILED_NAMESPACE);
      this.time("server exits at start (first deploy) → up fails", run.ms, 60000);
      const started = Date.now();
      await cluster.until("Knative to scale the failed Revision's pods away", 240000, async () => ((await cluster.pods(KNATIVE_FAILED_NAMESPACE, MODEL)).length === 0 ? true : "pods left"));
      this.time("the failed Revision's pods gone (progress deadline 30 s)", Date.now() - started);
      const verified = await verify(api, { name: MODEL, namespace: KNATIVE_FAILED_NAMESPACE, mode: "Knative", image }, { timeoutMs: 30000, log: () => undefined });
      await record("knative-revision-failed", KNATIVE_FAILED_NAMESPACE);
      assert.strictEqual(verified.ok, false, "verify passed on a failed Revision");
      assert.strictEqual(verified.findings[0]?.cause, "revision-failed", verified.report);
      assert.match(verified.findings[0].evidence, /could not load model/);
      assert.match(verified.findings[0].fix, /`model-serving:env`/);
    } finally {
      await this.removeAndSettle(stack, KNATIVE_FAILED_NAMESPACE);
    }
  }

  /** K8. No false alarm: an image that listens only after 25 s deploys (Knative mode has no startup probe by default). */
  async slowStart(): Promise<void> {
    const { stacks, image } = this.ctx;
    const slow = derivedImage(image, "slow-start", [`CMD ["sh", "-c", "sleep ${LISTEN_DELAY_SECONDS} && exec python -m model_server"]`]);
    const stack = await stacks.create("e2e-knative-slow", stackConfig(KNATIVE_SLOW_NAMESPACE, slow, { "model-serving:deploymentMode": "Knative", "model-serving:resources": SMALL, "model-serving:readyTimeoutSeconds": 180 }));
    try {
      const run = await stacks.up(stack);
      assert.ok(run.ok, `up failed on a healthy slow start:\n${failureExcerpt(run.output)}`);
      assert.ok(run.ms >= LISTEN_DELAY_SECONDS * 1000, `up returned after ${run.ms} ms, before the server could listen`);
      this.time(`slow start (listens after ${LISTEN_DELAY_SECONDS} s) → serving`, run.ms);
    } finally {
      await this.removeAndSettle(stack, KNATIVE_SLOW_NAMESPACE);
    }
  }

  /** K9. Scale to zero: replicas.min 0 leaves no pod once idle; up on it is a no-op that succeeds; verify wakes it through the ingress and reports the cold start. */
  async scaleToZero(): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    const stack = await stacks.create("e2e-knative-zero", stackConfig(KNATIVE_ZERO_NAMESPACE, image, { "model-serving:deploymentMode": "Knative", "model-serving:resources": SMALL, "model-serving:replicas": { min: 0, max: 1 } }));
    try {
      const first = await stacks.up(stack);
      assert.ok(first.ok, `first up with replicas.min 0 failed:\n${first.output.slice(-3000)}`);
      const idle = Date.now();
      // Knative's defaults: a 60 s stable window, then up to 30 s of grace.
      await cluster.until("the idle service to scale to zero", 180000, async () => ((await cluster.pods(KNATIVE_ZERO_NAMESPACE, MODEL)).length === 0 ? true : "pods left"));
      this.time("idle → zero pods", Date.now() - idle);
      const again = await stacks.up(stack);
      assert.ok(again.ok, `up on a service scaled to zero failed:\n${again.output.slice(-3000)}`);
      assert.deepStrictEqual(again.steps, [], "up on a service scaled to zero changed something");
      this.time("no-op up, scaled to zero", again.ms, 8000);
      const verified = await verify(api, { name: MODEL, namespace: KNATIVE_ZERO_NAMESPACE, mode: "Knative", image }, { timeoutMs: 60000, ingress: INGRESS, log: () => undefined });
      assert.ok(verified.ok, verified.report);
      assert.ok(verified.coldStartMs !== undefined, "verify did not wake the service");
      this.time("verify from zero pods (wake through the activator, then the smoke checks)", 0, undefined, `cold start ${(verified.coldStartMs! / 1000).toFixed(1)} s`);
    } finally {
      await this.removeAndSettle(stack, KNATIVE_ZERO_NAMESPACE);
    }
  }

  /**
   * K10. The `dev` stack itself (the seed lab's settings: Knative mode, port 8000, an adopted
   * namespace, its resources and replicas) with only what ties it to the lab's AWS cluster
   * overridden: the image by digest (no ECR here), no EKS cluster name (the ambient kubeconfig), no
   * node-role access, and the namespace, which stands for the lab's Kubeflow profile namespace and
   * is created beforehand as a profile would be. Serves through the ingress; destroy keeps the namespace.
   */
  async devStack(): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    const dev = readStackConfig(process.cwd(), "dev");
    const { "model-serving:cluster": _lab, ...kept } = dev;
    const overridden = { "model-serving:image": image, "model-serving:nodeRoleAccess": { enabled: false }, "model-serving:namespace": KNATIVE_DEV_NAMESPACE };
    assert.deepStrictEqual([kept["model-serving:deploymentMode"], kept["model-serving:port"], kept["model-serving:createNamespace"]], ["Knative", 8000, false], "the dev stack file changed");
    await cluster.createNamespace(KNATIVE_DEV_NAMESPACE, { "app.kubernetes.io/part-of": "kubeflow-profile" });
    const stack = await stacks.create("e2e-dev", { ...kept, ...overridden });
    try {
      const run = await stacks.up(stack);
      assert.ok(run.ok, `up of the dev stack failed:\n${run.output.slice(-4000)}`);
      this.time("first up, adopted namespace", run.ms, 15000, "the dev stack file");
      const service = await cluster.service(KNATIVE_DEV_NAMESPACE, MODEL);
      const answers = await sendThroughIngress(new URL(service!.status!.url!).host, 20);
      assert.strictEqual(answers.failures, 0, answers.failed.join("; "));
      const verified = await verify(api, { name: MODEL, namespace: KNATIVE_DEV_NAMESPACE, mode: "Knative", image }, { timeoutMs: 30000, log: () => undefined });
      assert.ok(verified.ok, verified.report);
      const down = await stacks.destroy(stack);
      assert.ok(down.ok, down.output.slice(-3000));
      this.time("destroy (adopted namespace)", down.ms, 60000);
      const namespace = await cluster.namespace(KNATIVE_DEV_NAMESPACE);
      assert.ok(namespace && namespace.status?.phase === "Active", "destroy removed the adopted namespace");
    } finally {
      await stacks.remove(stack);
      await cluster.deleteNamespace(KNATIVE_DEV_NAMESPACE);
    }
  }

  /** K6. Destroy within a minute. */
  async destroy(): Promise<void> {
    const { stacks, cluster } = this.ctx;
    const run = await stacks.destroy(this.stack!);
    assert.ok(run.ok, run.output.slice(-3000));
    this.time("destroy (created namespace)", run.ms, 60000);
    await cluster.untilNamespaceGone(KNATIVE_NAMESPACE, 120000, "the Knative namespace to go");
    await stacks.remove(this.stack!);
  }
}
