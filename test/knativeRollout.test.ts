// Knative mode on objects recorded from the toolchain's Knative Serving 1.21 with KServe v0.20.0
// (npm run e2e scenarios K1–K4 with E2E_RECORD_DIR): the watch, verify and verify --canary.
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { observeRollout, RolloutTarget } from "../cluster/rollout";
import { verify } from "../cluster/verify";
import { watchRollout } from "../cluster/watchRollout";
import { stateFrom } from "./helpers/fakeKubeApi";
import { loadSnapshot } from "./helpers/snapshots";
import { loadRecording, Recording, recordingState, loopbackApis } from "./helpers/recordings";

const NAME = "california-housing";
const REVISION = "serving.knative.dev/revision";
const revisionImage = (r: Recording, revision: string) => r.knativeRevisions!.find((x) => x.metadata.name === `${NAME}-predictor-${revision}`)!.spec.containers[0].image as string;
const podsOf = (r: Recording, revision: string) => r.pods.filter((p) => p.metadata.labels?.[REVISION] === `${NAME}-predictor-${revision}`).map((p) => p.metadata.name);
const target = (extra: Partial<RolloutTarget> = {}): RolloutTarget => ({ name: NAME, namespace: "e2e-knative", mode: "Knative", ...extra });

describe("Knative mode on objects recorded from a real cluster", function () {
  this.timeout(20000);
  const apis = loopbackApis();
  const { start, serve } = apis;

  it("serving: the latest created Revision is ready and runs the image this deploy applied", async () => {
    const { api, r } = await start("knative-serving");
    const image = revisionImage(r, "00001");
    const seen = await observeRollout(api, target({ image }));
    assert.ok(seen.done, seen.progress);
    assert.strictEqual(seen.revision, `Revision ${NAME}-predictor-00001`);
    assert.deepStrictEqual(seen.pods.map((p) => p.metadata.name), podsOf(r, "00001"));
  });

  it("a latest Revision of another image is not this deploy's, whatever the generation counters say", async () => {
    const { api, r } = await start("knative-serving");
    const running = revisionImage(r, "00001");
    const expected = `${running.split("@")[0]}@sha256:${"b".repeat(64)}`;
    // KServe's observedGeneration is the Knative Service's counter: here equal to the generation.
    assert.strictEqual(r.inferenceService!.status!.observedGeneration, r.inferenceService!.metadata.generation);
    const seen = await observeRollout(api, target({ image: expected }));
    assert.strictEqual(seen.done, false);
    assert.strictEqual(seen.progress, `Revision ${NAME}-predictor-00001 runs ${running}; waiting for KServe to create a Revision of ${expected}`);
  });

  it("KServe's observedGeneration (the Knative Service's counter) neither holds a Revision that carries the spec nor passes one that does not", async () => {
    const r = loadRecording("knative-serving");
    const drifted = structuredClone(r.inferenceService!);
    drifted.metadata.generation = 7; // the InferenceService's counter ran ahead of the Knative Service's (e.g. after a refused update)
    let api = await serve(recordingState(r, { services: [drifted] }));
    const held = await observeRollout(api, target({ image: revisionImage(r, "00001") }));
    assert.ok(held.done, held.progress);
    // A revert of MODEL_DIR: the spec no longer has it, the latest Revision (00002) still does, and the counters agree.
    const c = loadRecording("knative-crash-loop-update");
    const reverted = structuredClone(c.inferenceService!);
    reverted.spec!.predictor!.containers![0].env = reverted.spec!.predictor!.containers![0].env!.filter((e) => e.name !== "MODEL_DIR");
    assert.strictEqual(reverted.status!.observedGeneration, reverted.metadata.generation);
    api = await serve(recordingState(c, { services: [reverted] }));
    const seen = await observeRollout(api, target());
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Revision ${NAME}-predictor-00002 does not carry the applied spec yet`));
  });

  it("a new split alone makes no Revision: not done until KServe has written it", async () => {
    const r = loadRecording("knative-canary-serving");
    const wider = structuredClone(r.inferenceService!);
    wider.spec!.predictor!.canaryTrafficPercent = 50;
    const api = await serve(recordingState(r, { services: [wider] }));
    const seen = await observeRollout(api, target({ image: revisionImage(r, "00003"), canaryImage: revisionImage(r, "00004") }));
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
    const result = await watchRollout(api, target({ image: revisionImage(r, "00002") }), { timeoutMs: 5000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, new RegExp(`^Revision ${NAME}-predictor-00002 will not serve: crash-loop`));
    assert.deepStrictEqual(result.pods.map((p) => p.metadata.name), podsOf(r, "00002"));
  });

  it("a canary: the stable is KServe's latestRolledoutRevision, the canary the latest; verify tests the stable's pod, verify --canary the canary's", async () => {
    const { api, r } = await start("knative-canary-serving");
    const predictor = r.inferenceService!.status!.components!.predictor!;
    assert.deepStrictEqual([predictor.latestRolledoutRevision, predictor.latestCreatedRevision], [`${NAME}-predictor-00003`, `${NAME}-predictor-00004`]);
    const canaryTarget = target({ image: revisionImage(r, "00003"), canaryImage: revisionImage(r, "00004") });
    const seen = await observeRollout(api, canaryTarget);
    assert.ok(seen.done, seen.progress);
    assert.deepStrictEqual([seen.pods.map((p) => p.metadata.name), seen.canary!.pods.map((p) => p.metadata.name)], [podsOf(r, "00003"), podsOf(r, "00004")]);
    const canary = await verify(api, canaryTarget, { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, canary: true, log: () => undefined });
    assert.ok(canary.ok, canary.report);
    assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, "00004"));
    apis.fake.portForwards.length = 0;
    const stable = await verify(api, canaryTarget, { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, log: () => undefined });
    assert.ok(stable.ok, stable.report);
    assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, "00003"));
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
      const result = await verify(api, target({ image: revisionImage(r, "00001") }), { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, ingress: address, log: () => undefined });
      assert.ok(result.ok, result.report);
      assert.deepStrictEqual(seenHosts, [host]);
      assert.ok(result.coldStartMs !== undefined);
      assert.match(result.report, /has no pods \(scaled to zero\): waking it with GET \/health through http:\/\/california-housing-predictor\.e2e-knative\.example\.com via 127\.0\.0\.1:\d+/);
      assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, "00001"));
    } finally {
      ingress.close();
    }
  });

  it("a rollback's first step (the stable image as a canary at 0 %) is not done while the latest Revision is still the canary's", async () => {
    const { api, r } = await start("knative-canary-serving");
    const stable = revisionImage(r, "00003");
    // What rollback's first update applies: rollout.stableImage is the canary's digest for the moment, the candidate the stable one.
    const seen = await observeRollout(api, target({ image: revisionImage(r, "00004"), canaryImage: stable }));
    assert.strictEqual(seen.done, false);
    assert.match(seen.progress, new RegExp(`^Revision ${NAME}-predictor-00004 runs .*; waiting for KServe to create a Revision of ${stable.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
  });
});
