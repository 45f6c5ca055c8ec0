// Knative mode on objects recorded from the toolchain's Knative Serving 1.21 with KServe v0.20.0
// (npm run e2e scenarios K1–K4 with E2E_RECORD_DIR): the watch, verify and verify --canary.
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { observeRollout, RolloutTarget } from "../cluster/rollout";
import { verify } from "../cluster/verify";
import { watchRollout } from "../cluster/watchRollout";
import { diagnose, diagnoseByPredictor } from "../cluster/diagnosis";
import { KubeObject, stateFrom } from "./helpers/fakeKubeApi";
import { loadSnapshot } from "./helpers/snapshots";
import { REVISION_LABEL } from "../cluster/snapshot";
import { loadRecording, Recording, recordingState, loopbackApis } from "./helpers/recordings";

const NAME = "california-housing";
/** The Revisions KServe reported when the recording was made: the latest created and ready ones, and the rolled-out (stable) one. */
const revisions = (r: Recording) => {
  const p = r.inferenceService!.status!.components!.predictor!;
  return { created: p.latestCreatedRevision!, ready: p.latestReadyRevision!, stable: p.latestRolledoutRevision! };
};
const revisionImage = (r: Recording, revision: string) => r.knativeRevisions!.find((x) => x.metadata.name === revision)!.spec.containers[0].image as string;
const podsOf = (r: Recording, revision: string) => r.pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).map((p) => p.metadata.name);
const target = (extra: Partial<RolloutTarget> = {}): RolloutTarget => ({ name: NAME, namespace: "e2e-knative", mode: "Knative", ...extra });

describe("Knative mode on objects recorded from a real cluster", function () {
  this.timeout(20000);
  const apis = loopbackApis();
  const { start, serve } = apis;

  it("serving: the latest created Revision is ready and runs the image this deploy applied", async () => {
    const { api, r } = await start("knative-serving");
    const { created } = revisions(r);
    const seen = await observeRollout(api, target({ image: revisionImage(r, created) }));
    assert.ok(seen.done, seen.progress);
    assert.strictEqual(seen.revision, `Revision ${created}`);
    assert.deepStrictEqual(seen.pods.map((p) => p.metadata.name), podsOf(r, created));
  });

  it("a latest Revision of another image is not this deploy's, whatever the generation counters say", async () => {
    const { api, r } = await start("knative-serving");
    const { created } = revisions(r);
    const running = revisionImage(r, created);
    const expected = `${running.split("@")[0]}@sha256:${"b".repeat(64)}`;
    // KServe's observedGeneration is the Knative Service's counter: here equal to the generation.
    assert.strictEqual(r.inferenceService!.status!.observedGeneration, r.inferenceService!.metadata.generation);
    const seen = await observeRollout(api, target({ image: expected }));
    assert.strictEqual(seen.done, false);
    assert.strictEqual(seen.progress, `Revision ${created} runs ${running}; waiting for KServe to create a Revision of ${expected}`);
  });

  it("KServe's observedGeneration (the Knative Service's counter) neither holds a Revision that carries the spec nor passes one that does not", async () => {
    const r = loadRecording("knative-serving");
    const drifted = structuredClone(r.inferenceService!);
    drifted.metadata.generation = 7; // the InferenceService's counter ran ahead of the Knative Service's (e.g. after a refused update)
    let api = await serve(recordingState(r, { services: [drifted] }));
    const held = await observeRollout(api, target({ image: revisionImage(r, revisions(r).created) }));
    assert.ok(held.done, held.progress);
    // A revert of MODEL_DIR: the spec no longer has it, the latest Revision (the crash-looping one) still does, and the counters agree.
    const c = loadRecording("knative-crash-loop-update");
    const reverted = structuredClone(c.inferenceService!);
    reverted.spec!.predictor!.containers![0].env = reverted.spec!.predictor!.containers![0].env!.filter((e) => e.name !== "MODEL_DIR");
    assert.strictEqual(reverted.status!.observedGeneration, reverted.metadata.generation);
    api = await serve(recordingState(c, { services: [reverted] }));
    const seen = await observeRollout(api, target());
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Revision ${revisions(c).created} does not carry the applied spec yet`));
  });

  it("a new split alone makes no Revision: not done until KServe has written it", async () => {
    const r = loadRecording("knative-canary-serving");
    const wider = structuredClone(r.inferenceService!);
    wider.spec!.predictor!.canaryTrafficPercent = 50;
    const api = await serve(recordingState(r, { services: [wider] }));
    const { stable, created } = revisions(r);
    const seen = await observeRollout(api, target({ image: revisionImage(r, stable), canaryImage: revisionImage(r, created) }));
    assert.strictEqual(seen.done, false);
    assert.strictEqual(seen.progress, "the latest Revision has 20 % of the traffic; waiting for KServe to give it 50 %");
  });

  it("a spec the cluster refuses (recorded: Knative's webhook refusing a user-set PORT) fails the watch at once with KServe's message, not at the timeout", async () => {
    const refused = loadSnapshot("reconcile-failed");
    const api = await serve(stateFrom(refused));
    const started = Date.now();
    const result = await watchRollout(api, target({ namespace: "scratch-kn" }), { timeoutMs: 10000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.match(result.summary, /will not serve: reconcile-failed$/);
    assert.match(result.findings[0].evidence, /ReconcileFailed: .*denied the request: validation failed: \\"PORT\\" is a reserved environment variable/);
  });

  it("a crash-looping update fails as that Revision's, the old Revision's pod not counted", async () => {
    const { api, r } = await start("knative-crash-loop-update");
    const { created, ready } = revisions(r);
    assert.notStrictEqual(created, ready);
    const result = await watchRollout(api, target({ image: revisionImage(r, created) }), { timeoutMs: 5000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, new RegExp(`^Revision ${created} will not serve: crash-loop`));
    assert.deepStrictEqual(result.pods.map((p) => p.metadata.name), podsOf(r, created));
  });

  it("a canary: the stable is KServe's latestRolledoutRevision, the canary the latest; verify tests the stable's pod, verify --canary the canary's", async () => {
    const { api, r } = await start("knative-canary-serving");
    const { stable, created } = revisions(r);
    assert.notStrictEqual(stable, created);
    const canaryTarget = target({ image: revisionImage(r, stable), canaryImage: revisionImage(r, created) });
    const seen = await observeRollout(api, canaryTarget);
    assert.ok(seen.done, seen.progress);
    assert.deepStrictEqual([seen.pods.map((p) => p.metadata.name), seen.canary!.pods.map((p) => p.metadata.name)], [podsOf(r, stable), podsOf(r, created)]);
    const canary = await verify(api, canaryTarget, { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, canary: true, log: () => undefined });
    assert.ok(canary.ok, canary.report);
    assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, created));
    apis.fake.portForwards.length = 0;
    const plain = await verify(api, canaryTarget, { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, log: () => undefined });
    assert.ok(plain.ok, plain.report);
    assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, stable));
  });

  it("scaled to zero: verify wakes the Revision with a request through its route (the ingress address given), reports the cold start, then smoke-tests the woken pod", async () => {
    const r = loadRecording("knative-serving");
    const pods = r.pods;
    const api = await serve(recordingState(r, { pods: [] }));
    const host = new URL(r.inferenceService!.status!.url!).host;
    // A stand-in for the ingress and Knative's activator: the pod appears when a request for the route's host arrives.
    const seenHosts: string[] = [];
    const ingress = http.createServer((req, res) => {
      seenHosts.push(req.headers.host ?? "");
      if (req.headers.host === host) apis.fake.state.pods = pods;
      res.writeHead(req.headers.host === host ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
    try {
      const address = `127.0.0.1:${(ingress.address() as AddressInfo).port}`;
      const result = await verify(api, target({ image: revisionImage(r, revisions(r).created) }), { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, ingress: address, log: () => undefined });
      assert.ok(result.ok, result.report);
      assert.deepStrictEqual(seenHosts, [host]);
      assert.ok(result.coldStartMs !== undefined);
      assert.match(result.report, /has no pods \(scaled to zero\): waking it with GET \/health through http:\/\/california-housing-predictor\.e2e-knative\.example\.com via 127\.0\.0\.1:\d+/);
      assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, revisions(r).created));
    } finally {
      ingress.close();
    }
  });

  it("a rollback's first step (the stable image as a canary at 0 %) is not done while the latest Revision is still the canary's", async () => {
    const { api, r } = await start("knative-canary-serving");
    const { created } = revisions(r);
    const stable = revisionImage(r, revisions(r).stable);
    // What rollback's first update applies: rollout.stableImage is the canary's digest for the moment, the candidate the stable one.
    const seen = await observeRollout(api, target({ image: revisionImage(r, created), canaryImage: stable }));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Revision ${created} runs .*; waiting for KServe to create a Revision of ${stable.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
  });

  it("the Knative Service's own counters: a generation Knative has not observed yet holds the watch, whatever the Revision carries", async () => {
    const r = loadRecording("knative-serving");
    const ksvc = r.knativeServices![0] as unknown as { metadata: { generation: number }; status: { observedGeneration: number } };
    assert.strictEqual(ksvc.status.observedGeneration, ksvc.metadata.generation);
    const unobserved = structuredClone(ksvc);
    unobserved.metadata.generation += 1;
    const api = await serve(recordingState(r, { knativeServices: [unobserved as unknown as KubeObject] }));
    const seen = await observeRollout(api, target({ image: revisionImage(r, revisions(r).created) }));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Knative Service ${NAME}-predictor at generation ${unobserved.metadata.generation}, observed ${ksvc.metadata.generation}: waiting for Knative to reconcile it`));
  });

  it("KServe's copy of the Knative Service's status behind (another latest Revision): the watch waits for KServe", async () => {
    const r = loadRecording("knative-serving");
    const ahead = structuredClone(r.knativeServices![0]);
    ahead.status.latestCreatedRevisionName = `${NAME}-predictor-00099`;
    const api = await serve(recordingState(r, { knativeServices: [ahead] }));
    const seen = await observeRollout(api, target({ image: revisionImage(r, revisions(r).created) }));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Knative's latest Revision is ${NAME}-predictor-00099, KServe still reports ${revisions(r).created}`));
  });

  it("a readiness path the server does not have: queue-proxy's 503 is read through its log (the 404), and the watch fails at once naming the key", async () => {
    const { api, r } = await start("knative-probe-path");
    const { created } = revisions(r);
    const started = Date.now();
    const result = await watchRollout(api, target({ image: revisionImage(r, created) }), { timeoutMs: 10000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.match(result.summary, new RegExp(`^Revision ${created} will not serve: probe-failing$`));
    assert.match(result.findings[0].evidence, /queue-proxy: ".*HTTP probe did not respond Ready, got status code: 404"/);
    assert.match(result.findings[0].fix, /the probe's path does not exist: `model-serving:probes\.readiness\.path` is "\/nope"/);
    assert.doesNotMatch(result.findings[0].fix, /model is not loaded/);
  });

  it("a 404 on a model's own path (/v2/models/<name>/ready) waits: model servers answer it 404 until the model is registered", () => {
    const r = loadRecording("knative-probe-path");
    const { created } = revisions(r);
    const service = structuredClone(r.inferenceService!);
    service.spec!.predictor!.containers![0].readinessProbe!.httpGet!.path = "/v2/models/california-housing/ready";
    const [finding] = diagnose({ ...r, inferenceService: service, pods: r.pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === created) });
    assert.strictEqual(finding.cause, "probe-failing");
    assert.strictEqual(finding.conclusive, false);
  });

  it("the same queue-proxy 503 with no word in its log is not read as a model that is not loaded", () => {
    const r = loadRecording("knative-probe-path");
    const { created } = revisions(r);
    const pods = r.pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === created);
    const logs = Object.fromEntries(Object.entries(r.logs).filter(([key]) => !key.endsWith("/queue-proxy")));
    const [finding] = diagnose({ ...r, pods, logs });
    assert.strictEqual(finding.cause, "probe-failing");
    assert.match(finding.fix, /queue-proxy reported the server not ready \(its 503 or the kubelet's timeout is queue-proxy's own/);
    assert.notStrictEqual(finding.conclusive, true);
  });

  it("a failed Revision whose pods Knative scaled away: verify names revision-failed from the condition, with the server's words", async () => {
    const { api, r } = await start("knative-revision-failed");
    assert.strictEqual(r.pods.length, 0, "the recording was made after the pods had gone");
    const { created } = revisions(r);
    const result = await verify(api, { name: NAME, namespace: r.inferenceService!.metadata.namespace!, mode: "Knative", image: revisionImage(r, created) }, { timeoutMs: 3000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.strictEqual(result.findings[0]?.cause, "revision-failed", result.report);
    assert.match(result.findings[0].evidence, /could not load model from \/nonexistent/);
    assert.strictEqual(result.findings[0].revision, created);
  });

  it("a first deploy whose server exits at start, its pods still crash-looping: the kubelet's back-off decides (crash-loop), Knative's RevisionFailed from the first exit is named but not conclusive", async () => {
    const { api, r } = await start("knative-first-deploy-crash-loop");
    const { created } = revisions(r);
    assert.ok(r.pods.length > 0 && r.inferenceService!.status!.conditions!.some((c) => c.reason === "RevisionFailed"), "recorded with pods and the condition");
    const findings = diagnose(r);
    assert.strictEqual(findings[0].cause, "crash-loop");
    assert.strictEqual(findings.find((f) => f.cause === "revision-failed")?.conclusive, false);
    const result = await watchRollout(api, target({ namespace: r.inferenceService!.metadata.namespace!, image: revisionImage(r, created) }), { timeoutMs: 3000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.summary, `Revision ${created} will not serve: crash-loop`);
  });

  it("a RevisionFailed left by an earlier Revision does not fail a rollout whose Revision is not made yet", async () => {
    const { api, r } = await start("knative-revision-failed");
    const other = `${revisionImage(r, revisions(r).created).split("@")[0]}@sha256:${"c".repeat(64)}`;
    const result = await watchRollout(api, { name: NAME, namespace: r.inferenceService!.metadata.namespace!, mode: "Knative", image: other }, { timeoutMs: 300, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /^not serving after 0\.3s: /);
    assert.ok(!result.findings.some((f) => f.cause === "revision-failed"), "the timeout's report blames the earlier Revision");
  });

  it("a failed Revision on a canary fails the watch as the canary's, matched by the Revision's name (logic test: the recorded canary, its pods gone and the recorded RevisionFailed message moved onto it)", async () => {
    const r = loadRecording("knative-canary-serving");
    const { created } = revisions(r);
    const failedMessage = loadRecording("knative-revision-failed").inferenceService!.status!.conditions!.find((c) => c.reason === "RevisionFailed")!.message!;
    const service = structuredClone(r.inferenceService!);
    service.status!.conditions!.push({ type: "PredictorConfigurationReady", status: "False", reason: "RevisionFailed", message: failedMessage.replace(/^Revision "[^"]+"/, `Revision "${created}"`) });
    service.status!.components!.predictor!.latestReadyRevision = revisions(r).stable;
    const api = await serve(recordingState(r, { services: [service], pods: r.pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] !== created) }));
    const result = await watchRollout(api, target({ image: revisionImage(r, revisions(r).stable), canaryImage: revisionImage(r, created) }), { timeoutMs: 3000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.strictEqual(result.summary, `the canary Revision ${created} will not serve: revision-failed`);
  });

  it("diagnose splits a Knative canary by Revision: the stable (latestRolledoutRevision) and the canary (latest created), each with its own pods", () => {
    const r = loadRecording("knative-canary-serving");
    const { stable, created } = revisions(r);
    const groups = diagnoseByPredictor(r);
    assert.deepStrictEqual(
      groups.map((g) => [g.predictor, g.canary, g.findings.length]),
      [
        [`stable Revision ${stable}`, false, 0],
        [`canary Revision ${created} (20 %)`, true, 0],
      ],
    );
    // The canary's failure stays the canary's: its pods crash-looping, the stable's untouched.
    const broken = structuredClone(r);
    for (const pod of broken.pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === created)) {
      const status = pod.status!.containerStatuses!.find((c) => c.name === "kserve-container")!;
      status.state = { waiting: { reason: "CrashLoopBackOff" } };
      status.lastState = { terminated: { exitCode: 1 } };
      status.restartCount = 3;
    }
    const [stableGroup, canaryGroup] = diagnoseByPredictor(broken);
    assert.deepStrictEqual([stableGroup.findings.map((f) => f.cause), canaryGroup.findings.map((f) => f.cause)], [[], ["crash-loop"]]);
    // An event on the canary Revision (the recorded tag-resolution one, moved onto it) is the canary's alone.
    const [event] = loadSnapshot("tag-resolution").events.filter((e) => e.involvedObject.kind === "Revision");
    const notReady = structuredClone(r.inferenceService!);
    notReady.status!.conditions!.find((c) => c.type === "Ready")!.status = "False"; // a Ready service's object events are history
    const withEvent = { ...r, inferenceService: notReady, events: [...r.events, { ...event, involvedObject: { ...event.involvedObject, namespace: "e2e-knative", name: created } }] };
    const [stableOnly, canaryOnly] = diagnoseByPredictor(withEvent);
    assert.deepStrictEqual([stableOnly.findings.map((f) => f.cause), canaryOnly.findings.map((f) => f.cause)], [[], ["tag-resolution"]]);
  });
});
