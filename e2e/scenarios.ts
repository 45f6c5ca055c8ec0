// The end-to-end scenarios. Each asserts on what the cluster holds, read back through the API.
// (Over 250 lines: one ordered story on one cluster, each scenario starting from the state the
// previous one left, so it reads top to bottom in one file.)
import * as assert from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { CONTAINER_NAME, CONTAINER_SECURITY_CONTEXT } from "../core/manifests";
import { KubeApi } from "../cluster/kubeApi";
import { observeRollout } from "../cluster/rollout";
import { condition, Pod } from "../cluster/snapshot";
import { verify } from "../cluster/verify";
import { Cluster } from "./cluster";
import { E2EStacks, Run, StackConfig } from "./stacks";

export const MODEL = "california-housing";
export const PORT = 8000;
/** The labels every object the program makes carries (components/manifests.ts). */
const STACK_LABELS = "app.kubernetes.io/part-of=model-serving";
/** A digest nothing was ever pushed as. */
const MISSING = `sha256:${"0".repeat(64)}`;

/** Saves what the cluster shows now, under a name (E2E_RECORD_DIR), for the unit tests' fixtures. */
export type Recorder = (name: string, namespace: string) => Promise<void>;

/** The error block `pulumi up` printed: from "rollout failed" to the last fix line. */
export function failureExcerpt(output: string): string {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.includes("rollout failed"));
  return start < 0 ? "(no rollout failure in the output)" : lines.slice(start, start + 12).join("\n");
}

export interface Timing {
  readonly what: string;
  readonly ms: number;
  /** The budget the issue sets, if any. */
  readonly budgetMs?: number;
  /** What else was measured meanwhile (requests served during a rollout). */
  readonly note?: string;
  /** The KServe mode the step ran in. @default "Standard" */
  readonly mode?: "Standard" | "Knative";
}

export interface Context {
  readonly api: KubeApi;
  readonly cluster: Cluster;
  readonly stacks: E2EStacks;
  /** The pushed image, `registry/repo@sha256:…`. */
  readonly image: string;
  readonly timings: Timing[];
  readonly log: (line: string) => void;
}

const RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };

/** An e2e stack: no AWS (image by digest, no node-role access, ambient kubeconfig), one replica. */
export function stackConfig(namespace: string, image: string, extra: StackConfig = {}): StackConfig {
  return {
    "model-serving:image": image,
    "model-serving:namespace": namespace,
    "model-serving:deploymentMode": "Standard",
    "model-serving:port": PORT,
    "model-serving:nodeRoleAccess": { enabled: false },
    "model-serving:replicas": { min: 1, max: 1 },
    "model-serving:resources": RESOURCES,
    "model-serving:readyTimeoutSeconds": 600,
    ...extra,
  };
}

function expectOk(run: Run, what: string): void {
  assert.ok(run.ok, `${what} failed:\n${run.output.slice(-4000)}`);
}

const ready = (pod: Pod) => condition(pod.status?.conditions, "Ready")?.status === "True";

/** The current revision's pods once its rollout is complete (read back, not taken from the program). */
async function servingPods(ctx: Context, namespace: string, image?: string): Promise<{ revision: string; pods: Pod[] }> {
  const seen = await observeRollout(ctx.api, { name: MODEL, namespace, mode: "Standard", image });
  assert.ok(seen.done, `the rollout is not complete on the cluster: ${seen.progress}`);
  return { revision: seen.revision!, pods: seen.pods };
}

export class Scenarios {
  private main?: Stack;
  readonly mainNamespace = "e2e-created";
  private podsAfterFirstUp: string[] = [];

  constructor(private readonly ctx: Context) {}

  /** The stack scenarios 1–5 leave serving, for the rollout scenarios. */
  mainStack(): Stack {
    return this.main!;
  }

  private time(what: string, ms: number, budgetMs?: number, note?: string): void {
    this.ctx.timings.push({ what, ms, budgetMs, note });
  }

  /** 1. A preview of a new stack lists what will be created, and creates nothing. */
  async previewNewStack(): Promise<void> {
    const { stacks, cluster, image } = this.ctx;
    this.main = await stacks.create("e2e-main", stackConfig(this.mainNamespace, image));
    const run = await stacks.preview(this.main);
    expectOk(run, "preview");
    this.time("preview (new stack)", run.ms);
    for (const type of ["kubernetes:core/v1:Namespace", "kubernetes:serving.kserve.io/v1beta1:InferenceService", "model-serving:kserve:InferenceService"]) {
      assert.ok(run.steps.includes(`create ${type}`), `preview does not list "create ${type}": ${run.steps.join(", ")}`);
    }
    assert.strictEqual(await cluster.namespace(this.mainNamespace), null, "a preview created the namespace");
  }

  /** 2. `up` → serving: the exact digest, uid 10001, the configured port, probes, resources and security. */
  async firstUp(record: Recorder): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    const run = await stacks.up(this.main!);
    expectOk(run, "first up");
    this.time("first up → serving", run.ms, 15000);
    const service = await cluster.service(this.mainNamespace, MODEL);
    assert.strictEqual(condition(service?.status?.conditions, "Ready")?.status, "True", "the InferenceService is not Ready");
    assert.strictEqual(service!.metadata.annotations?.["serving.kserve.io/deploymentMode"], "Standard", "scenario 8: the current mode name, as written");
    const { revision, pods } = await servingPods(this.ctx, this.mainNamespace, image);
    assert.strictEqual(pods.length, 1);
    const pod = pods[0];
    assert.ok(ready(pod), `pod ${pod.metadata.name} is not Ready`);
    const spec = pod.spec!.containers.find((c) => c.name === CONTAINER_NAME) as Record<string, any>;
    const status = pod.status!.containerStatuses!.find((c) => c.name === CONTAINER_NAME)!;
    assert.strictEqual(spec.image, image);
    assert.ok((status as { imageID?: string }).imageID?.endsWith(image.slice(image.indexOf("@") + 1)), `the kubelet ran ${(status as { imageID?: string }).imageID}`);
    assert.strictEqual((await cluster.exec(this.mainNamespace, pod.metadata.name, CONTAINER_NAME, ["id", "-u"])).trim(), "10001");
    assert.deepStrictEqual(spec.ports, [{ containerPort: PORT, name: "http1", protocol: "TCP" }]);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      assert.strictEqual(spec[probe]?.httpGet?.port, PORT, `${probe} port`);
    }
    assert.deepStrictEqual(spec.env.find((e: { name: string }) => e.name === "PORT"), { name: "PORT", value: String(PORT) });
    assert.deepStrictEqual(spec.resources, RESOURCES);
    assert.deepStrictEqual(spec.securityContext, CONTAINER_SECURITY_CONTEXT);
    const verified = await verify(api, { name: MODEL, namespace: this.mainNamespace, mode: "Standard", image }, { timeoutMs: 30000, log: () => undefined });
    assert.ok(verified.ok, verified.report);
    assert.strictEqual(verified.revision, revision, "verify tested another revision");
    assert.strictEqual(run.outputs.imageRef, image);
    assert.ok(service!.status?.url, "KServe reports no URL");
    assert.strictEqual(run.outputs.url, service!.status!.url);
    this.podsAfterFirstUp = pods.map((p) => p.metadata.name);
    await record("standard-serving", this.mainNamespace);
  }

  /** 3. `up` again with nothing changed: no step, no pod restarted. */
  async noOpUp(): Promise<void> {
    const run = await this.ctx.stacks.up(this.main!);
    expectOk(run, "no-op up");
    this.time("no-op up", run.ms, 5000);
    assert.deepStrictEqual(run.steps, [], "a no-op up changed something");
    const pods = await this.ctx.cluster.pods(this.mainNamespace, MODEL);
    assert.deepStrictEqual(pods.map((p) => p.metadata.name), this.podsAfterFirstUp);
  }

  /** 4. A good update (memory limit) rolls out, and `up` returns only once the new pods serve. */
  async goodUpdate(): Promise<void> {
    const { stacks, image } = this.ctx;
    const resources = { ...RESOURCES, limits: { ...RESOURCES.limits, memory: "640Mi" } };
    await stacks.configure(this.main!, stackConfig(this.mainNamespace, image, { "model-serving:resources": resources }));
    const run = await stacks.up(this.main!);
    expectOk(run, "good update");
    this.time("good update (resources) → serving", run.ms);
    // Read at once: had `up` returned early, the new pods would not be there and Ready yet.
    const { pods } = await servingPods(this.ctx, this.mainNamespace, image);
    assert.ok(pods.length >= 1 && pods.every(ready), "the new pods are not Ready when up returns");
    for (const pod of pods) {
      assert.strictEqual(pod.spec!.containers.find((c) => c.name === CONTAINER_NAME)!.resources?.limits?.memory, "640Mi");
      assert.ok(!this.podsAfterFirstUp.includes(pod.metadata.name), "the old pod still counts as the current revision");
    }
  }

  /** 5. A bad update (new pods crash-loop) fails `up` fast with the cause, the old pods keep serving, verify fails. */
  async badUpdate(record: Recorder): Promise<void> {
    const { stacks, cluster, image, api } = this.ctx;
    const servingBefore = (await servingPods(this.ctx, this.mainNamespace, image)).pods.map((p) => p.metadata.name);
    const good = stackConfig(this.mainNamespace, image, { "model-serving:resources": { ...RESOURCES, limits: { ...RESOURCES.limits, memory: "640Mi" } } });
    await stacks.configure(this.main!, { ...good, "model-serving:env": { MODEL_DIR: "/nonexistent" } });
    const run = await stacks.up(this.main!);
    this.time("crash-looping update → up fails", run.ms, 60000);
    assert.ok(!run.ok, "up succeeded on an update whose pods crash-loop");
    assert.ok(run.ms <= 60000, `up took ${run.ms} ms to fail`);
    this.ctx.log(failureExcerpt(run.output));
    assert.match(run.output, /rollout failed: .* will not serve: crash-loop/);
    assert.match(run.output, /could not load model/, "the evidence quotes the server's log");
    assert.match(run.output, /`model-serving:env`/, "the fix names the config key");
    await record("standard-crash-loop-update", this.mainNamespace);
    const stillServing = (await cluster.pods(this.mainNamespace, MODEL)).filter((p) => servingBefore.includes(p.metadata.name) && ready(p));
    assert.ok(stillServing.length > 0, "the old pods stopped serving");
    const verified = await verify(api, { name: MODEL, namespace: this.mainNamespace, mode: "Standard" }, { timeoutMs: 20000, log: () => undefined });
    assert.strictEqual(verified.ok, false, "verify passed while the current spec crash-loops");
    assert.strictEqual(verified.findings[0]?.cause, "crash-loop");
    // Back to the good spec: Kubernetes returns to the old ReplicaSet.
    await stacks.configure(this.main!, good);
    const recovery = await stacks.up(this.main!);
    expectOk(recovery, "up after fixing the bad update");
    this.time("fixing the bad update → serving", recovery.ms);
  }

  /** 5b. A readiness path the server does not have (it answers 404): up fails at once naming the key; the old pods keep serving. */
  async wrongProbePath(record: Recorder): Promise<void> {
    const { stacks, cluster, image } = this.ctx;
    const servingBefore = (await servingPods(this.ctx, this.mainNamespace, image)).pods.map((p) => p.metadata.name);
    const good = stackConfig(this.mainNamespace, image, { "model-serving:resources": { ...RESOURCES, limits: { ...RESOURCES.limits, memory: "640Mi" } } });
    await stacks.configure(this.main!, { ...good, "model-serving:probes": { readiness: { path: "/nope" } } });
    const run = await stacks.up(this.main!);
    this.time("readiness path that does not exist → up fails", run.ms, 60000);
    assert.ok(!run.ok, "up succeeded with a readiness path the server does not have");
    this.ctx.log(failureExcerpt(run.output));
    assert.match(run.output, /will not serve: probe-failing/);
    assert.match(run.output, /statuscode: 404/);
    // Standard mode: the startup probe, which follows the readiness path, fails first.
    assert.match(run.output, /is "\/nope"/);
    assert.match(run.output, /`model-serving:probes\.readiness\.path`/);
    await record("standard-probe-path", this.mainNamespace);
    const stillServing = (await cluster.pods(this.mainNamespace, MODEL)).filter((p) => servingBefore.includes(p.metadata.name) && ready(p));
    assert.ok(stillServing.length > 0, "the old pods stopped serving");
    await stacks.configure(this.main!, good);
    expectOk(await stacks.up(this.main!), "up after fixing the path");
  }

  /** 6. A first deploy whose digest does not exist fails fast with image-not-found. */
  async missingDigest(record: Recorder): Promise<void> {
    const { stacks, image } = this.ctx;
    const missing = `${image.slice(0, image.indexOf("@"))}@${MISSING}`;
    const stack = await stacks.create("e2e-missing", stackConfig("e2e-missing", missing));
    try {
      const run = await stacks.up(stack);
      this.time("missing digest → up fails", run.ms, 60000);
      assert.ok(!run.ok, "up succeeded with an image that does not exist");
      assert.ok(run.ms <= 60000, `up took ${run.ms} ms to fail`);
      this.ctx.log(failureExcerpt(run.output));
      assert.match(run.output, /will not serve: image-not-found/);
      assert.match(run.output, /`model-serving:image`/);
      await record("standard-image-not-found", "e2e-missing");
    } finally {
      await stacks.remove(stack);
    }
  }

  /** 7a. Destroy removes a namespace the stack created, and everything in it. */
  async destroyCreated(): Promise<void> {
    const { stacks, cluster } = this.ctx;
    const run = await stacks.destroy(this.main!);
    expectOk(run, "destroy");
    this.time("destroy (created namespace)", run.ms, 15000);
    await cluster.untilNamespaceGone(this.mainNamespace, 60000, "the created namespace to go");
    await stacks.remove(this.main!);
  }

  /** 7b and 8. An adopted namespace, written with the legacy mode name for a pre-0.16 KServe: serves, and destroy leaves the namespace and its labels. */
  async adoptedNamespace(): Promise<void> {
    const { stacks, cluster, image } = this.ctx;
    const namespace = "e2e-adopted";
    const labels = { "e2e.model-serving/owner": "someone-else" };
    await cluster.createNamespace(namespace, labels);
    const stack = await stacks.create(
      "e2e-adopted",
      stackConfig(namespace, image, { "model-serving:createNamespace": false, "model-serving:deploymentMode": "RawDeployment", "model-serving:kserveVersion": "0.15" }),
    );
    try {
      const up = await stacks.up(stack);
      expectOk(up, "up into an adopted namespace");
      this.time("first up, adopted namespace", up.ms, 15000, "the legacy mode name RawDeployment, for KServe 0.15");
      const service = await cluster.service(namespace, MODEL);
      // The program writes the legacy name for a 0.15 cluster; KServe v0.20's defaulting webhook
      // stores its current name for it (the legacy names are aliases it normalises).
      assert.strictEqual(service?.metadata.annotations?.["serving.kserve.io/deploymentMode"], "Standard", "scenario 8: KServe v0.20 stores the current name for RawDeployment");
      assert.ok(await cluster.deployment(namespace, MODEL), "KServe v0.20 did not read RawDeployment as Standard mode (no predictor Deployment)");
      await servingPods(this.ctx, namespace, image);
      const down = await stacks.destroy(stack);
      expectOk(down, "destroy with an adopted namespace");
      this.time("destroy (adopted namespace)", down.ms, 15000);
      const kept = await cluster.namespace(namespace);
      assert.ok(kept && kept.status?.phase === "Active", "destroy removed the adopted namespace");
      assert.deepStrictEqual({ ...kept.metadata.labels, "kubernetes.io/metadata.name": undefined }, { ...labels, "kubernetes.io/metadata.name": undefined });
      await cluster.until("the stack's objects to go", 60000, async () => {
        const left = [...(await cluster.labelled(namespace, STACK_LABELS)), ...(await cluster.pods(namespace, MODEL)).map((p) => `Pod/${p.metadata.name}`)];
        return left.length === 0 ? true : `left: ${left.join(", ")}`;
      });
    } finally {
      await stacks.remove(stack);
      await cluster.deleteNamespace(namespace);
    }
  }
}
