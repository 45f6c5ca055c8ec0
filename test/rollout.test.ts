// The rollout watch that `pulumi up` and verify share, against a loopback API serving objects
// recorded on a real cluster (Kubernetes v1.33, KServe v0.20.0 in Standard mode; `npm run e2e`
// with E2E_RECORD_DIR). What the real cluster taught: during a failed update the service stays
// Ready=True with a current observedGeneration, so only the newest ReplicaSet's pods tell.
import * as assert from "assert";
import { condition, Snapshot } from "../cluster/snapshot";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { appliedAs, observeRollout, RolloutTarget } from "../cluster/rollout";
import { certainFindings, rolloutFailureText, watchRollout, WatchOptions } from "../cluster/watchRollout";
import { diagnose } from "../cluster/diagnosis";
import { FakeKubeApi, FakeState, stateFrom } from "./helpers/fakeKubeApi";
import { loadRecording, Recording, recordingState } from "./helpers/recordings";
import { loadSnapshot } from "./helpers/snapshots";

const imageOf = (r: Recording) => (r.inferenceService!.spec!.predictor!.containers![0].image as string);
const targetOf = (r: Recording, extra: Partial<RolloutTarget> = {}): RolloutTarget => ({
  name: r.inferenceService!.metadata.name,
  namespace: r.inferenceService!.metadata.namespace!,
  mode: "Standard",
  generation: r.inferenceService!.metadata.generation,
  image: imageOf(r),
  ...extra,
});

describe("rollout watch: the current spec's own pods, on objects recorded from a real cluster", function () {
  this.timeout(20000);
  let fake: FakeKubeApi | undefined;
  let lines: string[];
  afterEach(() => fake?.stop());

  async function start(state: FakeState): Promise<KubeApi> {
    fake = await new FakeKubeApi(state).start();
    lines = [];
    return new KubeApi(loadKubeConfig(fake.writeKubeconfig()), 2000);
  }
  const options = (o: Partial<WatchOptions> = {}): WatchOptions => ({ timeoutMs: 5000, intervalMs: 20, log: (l) => lines.push(l), ...o });

  it("a serving Standard rollout: done, named by its newest ReplicaSet, with exactly its pods", async () => {
    const r = loadRecording("standard-serving");
    const api = await start(recordingState(r));
    const seen = await observeRollout(api, targetOf(r));
    assert.ok(seen.done, seen.progress);
    assert.strictEqual(seen.revision, "ReplicaSet california-housing-predictor-b86df89cc (Deployment california-housing-predictor revision 1)");
    assert.deepStrictEqual(seen.pods.map((p) => p.metadata.name), ["california-housing-predictor-b86df89cc-sgpxg"]);
    const result = await watchRollout(api, targetOf(r), options());
    assert.ok(result.ok);
    assert.strictEqual(result.service?.status?.url, "http://california-housing-e2e-created.example.com");
  });

  it("a crash-looping update: Ready stays True, yet the rollout fails within a poll, naming crash-loop, its log and the env key", async () => {
    const r = loadRecording("standard-crash-loop-update");
    // What the real cluster showed: Ready, and the generation observed.
    assert.strictEqual(condition(r.inferenceService!.status!.conditions, "Ready")!.status, "True");
    assert.strictEqual(r.inferenceService!.status!.observedGeneration, r.inferenceService!.metadata.generation);
    const api = await start(recordingState(r));
    const seen = await observeRollout(api, targetOf(r));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, /pods of an older revision still running beside ReplicaSet california-housing-predictor-5987678594/);
    assert.deepStrictEqual(seen.pods.map((p) => p.metadata.name), ["california-housing-predictor-5987678594-hcp4w"], "the old, serving pod is not the current revision");
    const started = Date.now();
    const result = await watchRollout(api, targetOf(r), options({ facts: { stack: "e2e", env: { MODEL_DIR: "/nonexistent" } } }));
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.strictEqual(result.ok, false);
    assert.deepStrictEqual(result.findings.map((f) => f.cause), ["crash-loop"]);
    const text = rolloutFailureText(result);
    assert.match(text, /^rollout failed: ReplicaSet california-housing-predictor-5987678594 \(Deployment california-housing-predictor revision 3\) will not serve: crash-loop/);
    assert.match(text, /could not load model from \/nonexistent/);
    assert.match(text, /`model-serving:env` sets \(now \{"MODEL_DIR":"\/nonexistent"\}\)/);
  });

  it("a first deploy of a digest that does not exist: image-not-found at once, quoting the kubelet", async () => {
    const r = loadRecording("standard-image-not-found");
    const api = await start(recordingState(r));
    const result = await watchRollout(api, targetOf(r), options());
    assert.strictEqual(result.ok, false);
    assert.strictEqual(result.findings[0].cause, "image-not-found");
    assert.match(result.findings[0].evidence, /Failed to pull image .*sha256:0{64}.*not found/);
  });

  it("waits while KServe has neither reported the applied generation nor put its spec in the Deployment, or the Deployment runs another image", async () => {
    const r = loadRecording("standard-serving");
    // Generation 2 asks for more memory; the recorded Deployment still has the old limit.
    r.inferenceService!.spec!.predictor!.containers![0].resources!.limits!.memory = "640Mi";
    const api = await start(recordingState(r));
    const newer = await observeRollout(api, targetOf(r, { generation: 2 }));
    assert.strictEqual(newer.done, false);
    assert.match(newer.progress, /^Deployment california-housing-predictor does not carry the applied spec yet; KServe has not yet reconciled generation 2 \(observed: 1\)/);
    const other = await observeRollout(api, targetOf(r, { image: `${imageOf(r).split("@")[0]}@sha256:${"a".repeat(64)}` }));
    assert.strictEqual(other.done, false);
    assert.match(other.progress, /still runs .*; waiting for KServe to apply/);
    const result = await watchRollout(api, targetOf(r, { generation: 2 }), options({ timeoutMs: 300 }));
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /^not serving after 0\.3s: Deployment california-housing-predictor does not carry the applied spec yet/);
  });

  it("waits while the Deployment lacks the applied spec even when observedGeneration is not behind (KServe copies it ahead once an HPA has scaled)", async () => {
    const r = loadRecording("standard-serving");
    // A config-only update (more memory) KServe has not applied, though its status reports the generation observed.
    r.inferenceService!.spec!.predictor!.containers![0].resources!.limits!.memory = "640Mi";
    r.inferenceService!.metadata.generation = 2;
    r.inferenceService!.status!.observedGeneration = 2;
    const api = await start(recordingState(r));
    const seen = await observeRollout(api, targetOf(r, { generation: 2 }));
    assert.strictEqual(seen.done, false, "reported done before KServe applied the spec");
    assert.match(seen.progress, /^Deployment california-housing-predictor does not carry the applied spec yet; IngressReady=True; PredictorReady=True/);
  });

  it("a readiness path the server does not have (recorded: 404 on the startup probe that follows it): the rollout fails within a poll, naming both keys", async () => {
    const r = loadRecording("standard-probe-path");
    const api = await start(recordingState(r));
    const started = Date.now();
    const result = await watchRollout(api, targetOf(r), options());
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.strictEqual(result.ok, false);
    assert.deepStrictEqual(result.findings.map((f) => f.cause), ["probe-failing"]);
    assert.match(result.findings[0].evidence, /probe failed: HTTP probe failed with statuscode: 404/);
    assert.match(result.findings[0].fix, /`model-serving:probes\.startup\.path` is "\/nope" \(it follows `model-serving:probes\.readiness\.path` unless set\)/);
  });

  it("a reverted update is not done while the Deployment still runs the bad spec: a removed env var counts (the recorded crash-looping rollout, its spec without MODEL_DIR)", async () => {
    // The fix after a crash-looping update drops MODEL_DIR; until KServe updates the Deployment,
    // its container (recorded during the crash loop) is a superset of the fixed spec.
    const r = loadRecording("standard-crash-loop-update");
    const container = r.inferenceService!.spec!.predictor!.containers![0] as { env?: { name: string }[] };
    container.env = container.env!.filter((e) => e.name !== "MODEL_DIR");
    const api = await start(recordingState(r));
    const seen = await observeRollout(api, targetOf(r));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, /^Deployment california-housing-predictor does not carry the applied spec yet/);
  });

  it("a stale observedGeneration does not hold a rollout whose Deployment carries the applied spec (KServe v0.20 left it stale with named predictors)", async () => {
    const r = loadRecording("standard-serving");
    const api = await start(recordingState(r));
    const seen = await observeRollout(api, targetOf(r, { generation: 5 }));
    assert.ok(seen.done, seen.progress);
  });

  it("appliedAs: every given field as given, defaults the API added ignored", () => {
    assert.ok(appliedAs({ httpGet: { path: "/health", port: 8000 } }, { httpGet: { path: "/health", port: 8000, scheme: "HTTP" }, timeoutSeconds: 1 }));
    assert.ok(!appliedAs({ limits: { memory: "640Mi" } }, { limits: { memory: "512Mi", cpu: "1" } }));
    assert.ok(appliedAs([{ name: "PORT", value: "8000" }], [{ name: "PORT", value: "8000" }, { name: "EXTRA", value: "x" }]));
    assert.ok(!appliedAs([{ name: "PORT", value: "8000" }], []));
  });

  it("a Deployment past its progress deadline fails with the Deployment's own message", async () => {
    const r = loadRecording("standard-crash-loop-update");
    const deployment = structuredClone(r.deployments[0]);
    deployment.status.conditions = deployment.status.conditions.map((c: any) =>
      c.type === "Progressing" ? { ...c, status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "california-housing-predictor-5987678594" has timed out progressing.' } : c,
    );
    // Without logs the crash loop is not yet certain; the deadline alone decides.
    const api = await start(recordingState(r, { deployments: [deployment], logs: {}, pods: r.pods.map((p) => ({ ...p, status: { ...p.status, containerStatuses: [] } })) }));
    const result = await watchRollout(api, targetOf(r), options());
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /has timed out progressing/);
  });

  it("Knative mode with canaryTrafficPercent: the latest Revision is the canary, and a failure there is named the canary's", async () => {
    const crashing = loadSnapshot("crash-loop");
    const service = structuredClone(crashing.inferenceService!);
    service.spec!.predictor!.canaryTrafficPercent = 20;
    const api = await start(stateFrom(crashing, { services: [service] }));
    const target = { name: "california-housing", namespace: crashing.inferenceService!.metadata.namespace!, mode: "Knative" };
    const seen = await observeRollout(api, target);
    // No latestRolledoutRevision yet: KServe gives the latest all of the traffic, and says so here.
    assert.match(seen.progress, /^no stable Revision: canary at 20 %: Revision california-housing-predictor-00001 not ready yet/);
    assert.deepStrictEqual([seen.pods.length, seen.canary?.pods.length], [0, 1]);
    const result = await watchRollout(api, target, options());
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /^the canary Revision california-housing-predictor-00001 will not serve: crash-loop/);
  });

  it("refused credentials end the watch at once", async () => {
    const r = loadRecording("standard-serving");
    const api = await start(recordingState(r, { failures: [{ pattern: /inferenceservices/, status: 403, message: "forbidden" }] }));
    const started = Date.now();
    const result = await watchRollout(api, targetOf(r), options({ timeoutMs: 10000 }));
    assert.ok(Date.now() - started < 3000);
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /HTTP 403: forbidden/);
  });
});

describe("rollout watch: which causes are certain, and when", () => {
  it("unschedulable only after 20 s, and not while a cluster autoscaler adds a node", () => {
    const snapshot = loadSnapshot("unschedulable");
    const findings = diagnose(snapshot);
    assert.strictEqual(findings[0].cause, "unschedulable");
    const firstSeen = new Map();
    assert.deepStrictEqual(certainFindings(findings, snapshot, firstSeen, 0), []);
    assert.deepStrictEqual(certainFindings(findings, snapshot, firstSeen, 19999), []);
    assert.deepStrictEqual(certainFindings(findings, snapshot, firstSeen, 20000).map((f) => f.cause), ["unschedulable"]);
    const pod = snapshot.pods[0].metadata.name;
    const scaling = { ...snapshot, events: [...snapshot.events, { involvedObject: { kind: "Pod", name: pod }, reason: "TriggeredScaleUp", message: "pod triggered scale-up" }] };
    assert.deepStrictEqual(certainFindings(findings, scaling, new Map([["unschedulable", 0]]), 60000), []);
  });

  it("a cause that goes away starts its clock again", () => {
    const snapshot = loadSnapshot("unschedulable");
    const findings = diagnose(snapshot);
    const firstSeen = new Map();
    certainFindings(findings, snapshot, firstSeen, 0);
    certainFindings([], snapshot, firstSeen, 10000);
    assert.deepStrictEqual(certainFindings(findings, snapshot, firstSeen, 25000), []);
  });

  it("a single crash is not yet a crash loop; the kubelet's back-off is", () => {
    const r = loadRecording("standard-crash-loop-update");
    const snapshot: Snapshot = { ...r, pods: r.pods.filter((p) => p.metadata.name.includes("5987678594")) };
    const findings = diagnose(snapshot);
    assert.deepStrictEqual(certainFindings(findings, snapshot, new Map(), 0).map((f) => f.cause), ["crash-loop"]);
    const once = structuredClone(snapshot);
    const status = once.pods[0].status!.containerStatuses![0];
    status.state = { running: { startedAt: "2026-11-28T08:18:10Z" } };
    assert.deepStrictEqual(certainFindings(diagnose(once), once, new Map(), 0), [], "restarted once and running again: wait");
  });
});
