// verify against a loopback Kubernetes API: progress lines per condition change, the smoke tests
// through a port-forward websocket, the bounded wait, and the diagnosis after a failure.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { InferenceService } from "../cluster/snapshot";
import { SAMPLE_FEATURES } from "../cluster/smoke";
import { verify, VerifyOptions } from "../cluster/verify";
import { FakeKubeApi, FakeState, stateFrom } from "./helpers/fakeKubeApi";
import { run } from "./helpers/runProcess";
import { loadSnapshot } from "./helpers/snapshots";

const DEV = { name: "california-housing", namespace: "kubeflow-user01", mode: "Serverless" };
const POD = "california-housing-predictor-00001-deployment-7c9d8f6b5d-x7k2p";
const PORT_FORWARD = `/api/v1/namespaces/kubeflow-user01/pods/${POD}/portforward?ports=8000`;

function withConditions(service: InferenceService, conditions: { type: string; status: string; reason?: string; message?: string }[]): InferenceService {
  const copy = structuredClone(service);
  copy.status = { ...copy.status, conditions };
  return copy;
}

/** The service before its Revision is ready: Knative has not reported a latest ready revision yet. */
function beforeReady(service: InferenceService, conditions: { type: string; status: string; reason?: string; message?: string }[]): InferenceService {
  const copy = withConditions(service, conditions);
  delete copy.status!.components!.predictor!.latestReadyRevision;
  return copy;
}

describe("verify: wait for the current revision, smoke-test it, diagnose on failure", function () {
  this.timeout(30000);
  let fake: FakeKubeApi;
  let lines: string[];
  afterEach(() => fake?.stop());

  async function start(name: string, overrides: Partial<FakeState> = {}) {
    fake = await new FakeKubeApi(stateFrom(loadSnapshot(name), overrides)).start();
    lines = [];
    return new KubeApi(loadKubeConfig(fake.writeKubeconfig()), 2000);
  }
  const options = (o: Partial<VerifyOptions> = {}): VerifyOptions => ({ timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 1000, log: (l) => lines.push(l), ...o });

  it("prints a line per change (not per poll), then passes all four checks on the latest Revision", async () => {
    const ready = loadSnapshot("healthy-serverless").inferenceService!;
    const waiting = beforeReady(ready, [
      { type: "PredictorReady", status: "Unknown", reason: "RevisionMissing", message: 'Configuration "california-housing-predictor" is waiting for a Revision to become ready.' },
      { type: "Ready", status: "Unknown", reason: "RevisionMissing" },
    ]);
    const api = await start("healthy-serverless", { services: [null, beforeReady(ready, []), beforeReady(ready, []), waiting, waiting, waiting, ready] });
    const result = await verify(api, DEV, options());
    assert.ok(result.ok, lines.join("\n"));
    const progress = lines.filter((l) => /^\[\d+s\] /.test(l)).map((l) => l.replace(/^\[\d+s\] /, ""));
    const revision = "Revision california-housing-predictor-00001";
    assert.deepStrictEqual(progress, [
      "InferenceService not found",
      `${revision} not ready yet (1 of 1 pods ready; latest ready: none); no conditions yet`,
      `${revision} not ready yet (1 of 1 pods ready; latest ready: none); PredictorReady=Unknown RevisionMissing: Configuration "california-housing-predictor" is waiting for a Revision to become ready.; Ready=Unknown RevisionMissing`,
      `${revision}: 1 of 1 pods ready`,
    ]);
    assert.strictEqual(result.revision, revision);
    assert.deepStrictEqual(result.checks.map((c) => [c.name, c.ok]), [["GET /health", true], ["POST /predict", true], ["V1 predict", true], ["V2 ready", true]]);
    // One forwarded connection per check, each a websocket upgrade of the portforward path.
    assert.deepStrictEqual(fake.requests.filter((r) => r.path.includes("/portforward")).map((r) => [r.method, r.path]), Array(4).fill(["GET", PORT_FORWARD]));
    const calls = fake.modelRequests.map((r) => [r.method, r.path, r.body]);
    assert.deepStrictEqual(calls, [
      ["GET", "/health", ""],
      ["POST", "/predict", JSON.stringify({ features: SAMPLE_FEATURES })],
      ["POST", "/v1/models/california-housing:predict", JSON.stringify({ instances: [SAMPLE_FEATURES] })],
      ["GET", "/v2/models/california-housing/ready", ""],
    ]);
    assert.strictEqual(lines[lines.length - 1], `verify: all 4 checks passed on ${revision}`);
    assert.deepStrictEqual(result.findings, []);
  });

  it("never Ready: stops at the timeout, says why, and diagnoses", async () => {
    const api = await start("oom-killed", {});
    // The recorded service is in another namespace; serve it in the dev one.
    for (const o of [...fake.state.pods, ...fake.state.services]) o!.metadata.namespace = "kubeflow-user01";
    for (const e of fake.state.events) e.involvedObject.namespace = "kubeflow-user01";
    const started = Date.now();
    const result = await verify(api, { ...DEV, mode: "RawDeployment" }, options({ timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    assert.strictEqual(result.ok, false);
    assert.ok(elapsed >= 400 && elapsed < 3000, `took ${elapsed} ms`);
    assert.ok(lines.some((l) => /^FAIL rollout: not serving after 0\.4s: Deployment california-housing-predictor not created yet; IngressReady=True; PredictorReady=False MinimumReplicasUnavailable/.test(l)), lines.join("\n"));
    assert.deepStrictEqual(result.checks, []);
    assert.strictEqual(result.findings[0].cause, "oom-killed");
    assert.match(result.report, /Findings \(most likely first\):\n  1\. oom-killed/);
  });

  it("Ready but the server listens on another port: the checks fail through the port-forward and the diagnosis says port-mismatch", async () => {
    const broken = loadSnapshot("port-mismatch");
    // Ready, its Revision too (e.g. probes relaxed by hand), yet nothing answers on 8080.
    const service = withConditions(broken.inferenceService!, [{ type: "Ready", status: "True" }]);
    const predictor = service.status!.components!.predictor!;
    predictor.latestReadyRevision = predictor.latestCreatedRevision;
    const api = await start("port-mismatch", {
      services: [service],
      pods: broken.pods.map((p) => ({ ...p, status: { ...p.status, conditions: [{ type: "Ready", status: "True" }] } })),
      listenPort: 8000,
    });
    const result = await verify(api, DEV, options());
    assert.strictEqual(result.ok, false);
    assert.deepStrictEqual(result.checks.map((c) => c.ok), [false, false, false, false]);
    // The kubelet's answer on the port-forward's error channel.
    assert.match(result.checks[0].detail, /error forwarding port 8080 to pod \w+, uid : failed to execute portforward in network namespace .*: failed to connect to localhost:8080 inside namespace .*connection refused/);
    assert.deepStrictEqual(fake.portForwards.map((f) => f.ports), ["8080", "8080", "8080", "8080"]);
    assert.ok(lines.includes("verify: FAILED (4 of 4 checks failed)"), lines.join("\n"));
    assert.strictEqual(result.findings[0].cause, "port-mismatch");
  });

  it("a slow answer fails that check at its timeout; the others still run", async () => {
    const api = await start("healthy-serverless", { delays: [{ pattern: /^\/predict$/, ms: 2000 }] });
    const started = Date.now();
    const result = await verify(api, DEV, options({ requestTimeoutMs: 300 }));
    assert.ok(Date.now() - started < 2500);
    assert.deepStrictEqual(result.checks.map((c) => [c.name, c.ok]), [["GET /health", true], ["POST /predict", false], ["V1 predict", true], ["V2 ready", true]]);
    assert.match(result.checks[1].detail, /POST \/predict: no answer within 300 ms/);
    assert.strictEqual(result.ok, false);
  });

  it("the smoke checks use a real port-forward websocket to the picked pod's container port", async () => {
    const api = await start("healthy-serverless");
    const result = await verify(api, DEV, options());
    assert.ok(result.ok, lines.join("\n"));
    assert.ok(lines.includes(`smoke tests against pod ${POD} of Revision california-housing-predictor-00001 (through a port-forward to its port)`), lines.join("\n"));
    assert.strictEqual(fake.portForwards.length, 4);
    for (const forward of fake.portForwards) {
      assert.deepStrictEqual(forward, { namespace: "kubeflow-user01", pod: POD, ports: "8000", protocol: "v4.channel.k8s.io" });
    }
    // No other way to the pod was taken.
    assert.deepStrictEqual(fake.requests.filter((r) => /\/proxy\b|:\d+\//.test(r.path)), []);
  });

  it("a model that is not loaded: /health 503 and V2 not ready fail", async () => {
    const api = await start("healthy-serverless", { modelLoaded: false });
    const result = await verify(api, DEV, options());
    assert.deepStrictEqual(result.checks.map((c) => c.ok), [false, true, true, false]);
    assert.match(result.checks[0].detail, /HTTP 503: \{"status":"loading"/);
  });

  it("a hanging API server does not hold the wait past its deadline", async () => {
    const api = await start("healthy-serverless", { delays: [{ pattern: /inferenceservices/, ms: 5000 }] });
    const started = Date.now();
    const result = await verify(api, DEV, options({ timeoutMs: 500 }));
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    assert.strictEqual(result.ready, false);
    assert.ok(lines.some((l) => /cannot read the rollout: the rollout's objects: no answer within/.test(l)), lines.join("\n"));
  });

  it("refused credentials fail at once instead of waiting out the timeout", async () => {
    const api = await start("healthy-serverless", {
      failures: [{ pattern: /inferenceservices/, status: 403, message: 'inferenceservices.serving.kserve.io "california-housing" is forbidden: User "ci" cannot get resource "inferenceservices"' }],
    });
    const started = Date.now();
    const result = await verify(api, DEV, options({ timeoutMs: 10000 }));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.strictEqual(result.ready, false);
    assert.ok(lines.some((l) => /^FAIL rollout: .*HTTP 403: .*cannot get resource "inferenceservices"/.test(l)), lines.join("\n"));
  });

  it("npm run verify -- dev: exit 0 with a summary when healthy, exit 1 with the diagnosis and a report file when not", async () => {
    await start("healthy-serverless");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-cli-"));
    const kubeconfig = fake.writeKubeconfig(dir);
    const args = (report: string) => ["run", "--silent", "verify", "--", "dev", "--kubeconfig", kubeconfig, "--timeout", "1", "--interval", "0.05", "--report", path.join(dir, report)];
    const good = await run("npm", args("good.txt"));
    assert.strictEqual(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /PASS V2 ready/);
    assert.match(good.stdout, /verify: all 4 checks passed/);
    fake.state.modelLoaded = false;
    const bad = await run("npm", args("bad.txt"));
    assert.strictEqual(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /FAIL GET \/health/);
    const report = fs.readFileSync(path.join(dir, "bad.txt"), "utf8");
    assert.match(report, /verify: FAILED \(2 of 4 checks failed\)/);
    assert.match(report, /Conditions:\n  IngressReady=True/);
  });
});
