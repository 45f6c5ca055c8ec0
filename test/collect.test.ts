// Collecting a snapshot from a (loopback) Kubernetes API: the objects exactly as served, logs of
// current and previous instances, and the failing, slow and missing cases.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { collectSnapshot } from "../cluster/collect";
import { diagnose } from "../cluster/diagnosis";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { readSnapshot } from "../cluster/snapshot";
import { run } from "./helpers/runProcess";
import { FakeKubeApi, stateFrom } from "./helpers/fakeKubeApi";
import { loadSnapshot } from "./helpers/snapshots";

const DEV = { name: "california-housing", namespace: "kubeflow-user01" };
const POD = "california-housing-predictor-00001-deployment-7c9d8f6b5d-x7k2p";

describe("collect: a snapshot from the API server", function () {
  this.timeout(30000);
  let fake: FakeKubeApi;
  afterEach(() => fake?.stop());

  async function start(name: string, overrides = {}, timeoutMs = 2000) {
    const recorded = loadSnapshot(name);
    // Another service's pod and another namespace's event: collection must leave them out.
    const stranger = structuredClone(recorded.pods[0] ?? loadSnapshot("healthy-serverless").pods[0]);
    stranger.metadata.name = "other-model-predictor-00001-deployment-abc-zzzzz";
    stranger.metadata.labels = { ...stranger.metadata.labels, "serving.kserve.io/inferenceservice": "other-model" };
    fake = await new FakeKubeApi(stateFrom(recorded, { pods: [...recorded.pods, stranger], ...overrides })).start();
    const api = new KubeApi(loadKubeConfig(fake.writeKubeconfig()), timeoutMs);
    return { recorded, api };
  }

  it("the service, its predictor pods by label, the namespace's events and current + previous logs, as served", async () => {
    const { recorded, api } = await start("port-mismatch");
    const snapshot = await collectSnapshot(api, DEV);
    assert.deepStrictEqual(snapshot.inferenceService, recorded.inferenceService);
    assert.deepStrictEqual(snapshot.pods, recorded.pods);
    assert.deepStrictEqual(snapshot.events, recorded.events);
    assert.deepStrictEqual(Object.keys(snapshot.logs).sort(), [`${POD}/kserve-container`, `${POD}/kserve-container/previous`, `${POD}/queue-proxy`]);
    assert.strictEqual(snapshot.logs[`${POD}/kserve-container/previous`], recorded.logs[`${POD}/kserve-container/previous`]);
    assert.deepStrictEqual(snapshot.errors, []);
    const paths = fake.requests.map((r) => r.path);
    // The service's pods and a Standard-mode canary InferenceService's, in one list.
    assert.ok(paths.includes("/api/v1/namespaces/kubeflow-user01/pods?labelSelector=serving.kserve.io%2Finferenceservice%20in%20(california-housing%2Ccalifornia-housing-canary)"), paths.join("\n"));
    assert.ok(paths.includes("/apis/serving.kserve.io/v1beta1/namespaces/kubeflow-user01/inferenceservices/california-housing-canary"), paths.join("\n"));
    assert.ok(paths.some((p) => p.startsWith(`/api/v1/namespaces/kubeflow-user01/pods/${POD}/log?container=kserve-container&tailLines=100&previous=true`)));
    assert.strictEqual(diagnose(snapshot)[0].cause, "port-mismatch");
  });

  it("a container still pulling its image has no log: recorded as an error, not fatal", async () => {
    const { api } = await start("image-pull-auth");
    const snapshot = await collectSnapshot(api, DEV);
    assert.ok(!(`${POD}/kserve-container` in snapshot.logs));
    assert.ok(fake.requests.every((r) => !r.path.includes("container=kserve-container")), "asked for a log of a container that never ran");
    assert.strictEqual(diagnose(snapshot)[0].cause, "image-pull-auth");
  });

  it("a missing InferenceService is null with the reason; the pods are still collected", async () => {
    const { api } = await start("crash-loop", { services: [null] });
    const snapshot = await collectSnapshot(api, DEV);
    assert.strictEqual(snapshot.inferenceService, null);
    assert.deepStrictEqual(snapshot.errors!.slice(0, 1), ["InferenceService kubeflow-user01/california-housing not found"]);
    assert.strictEqual(snapshot.pods.length, 1);
    assert.strictEqual(diagnose(snapshot)[0].cause, "crash-loop");
  });

  it("a failing API (403 on pods) rejects with the API server's message", async () => {
    const { api } = await start("healthy-serverless", {
      failures: [{ pattern: /\/pods\?/, status: 403, message: 'pods is forbidden: User "ci" cannot list resource "pods" in API group "" in the namespace "kubeflow-user01"' }],
    });
    await assert.rejects(collectSnapshot(api, DEV), /HTTP 403: pods is forbidden: User "ci" cannot list resource "pods"/);
  });

  it("a wrong token is refused (the kubeconfig's credentials are what is sent)", async () => {
    await start("healthy-serverless");
    const file = fake.writeKubeconfig();
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/token: .*/, "token: wrong"));
    await assert.rejects(collectSnapshot(new KubeApi(loadKubeConfig(file), 2000), DEV), /HTTP 401: Unauthorized/);
  });

  it("a slow API server: the request gives up after its timeout", async () => {
    const { api } = await start("healthy-serverless", { delays: [{ pattern: /\/events/, ms: 3000 }] }, 400);
    const started = Date.now();
    await assert.rejects(collectSnapshot(api, DEV), /events: no answer within 400 ms/);
    assert.ok(Date.now() - started < 2000);
  });

  it("no kubeconfig anywhere is an error that says how to get one (not a wait on localhost:8080)", () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      delete process.env.KUBECONFIG;
      process.env.HOME = fs.mkdtempSync(path.join(os.tmpdir(), "no-home-"));
      assert.throws(() => loadKubeConfig(), /no kubeconfig: set KUBECONFIG, create ~\/\.kube\/config/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("npm run diagnose -- dev --kubeconfig --save --json, then the saved file offline: the same findings", async () => {
    await start("oom-killed");
    // The dev stack's namespace: serve the recorded RawDeployment objects there.
    for (const o of [...fake.state.pods, ...fake.state.services]) o!.metadata.namespace = "kubeflow-user01";
    for (const e of fake.state.events) e.involvedObject.namespace = "kubeflow-user01";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "collect-cli-"));
    const saved = path.join(dir, "snap.json");
    const live = await run("npm", ["run", "--silent", "diagnose", "--", "dev", "--kubeconfig", fake.writeKubeconfig(dir), "--save", saved, "--json", "--report", path.join(dir, "r.txt")]);
    assert.strictEqual(live.status, 0, live.stderr);
    const findings = JSON.parse(live.stdout).findings;
    assert.strictEqual(findings[0].cause, "oom-killed");
    assert.strictEqual(readSnapshot(saved).pods[0].metadata.name, "california-housing-predictor-6d5f7b8c9-q4w8z");
    const offline = await run("npm", ["run", "--silent", "diagnose", "--", "--snapshot", saved, "dev", "--json", "--report", path.join(dir, "r2.txt")]);
    assert.strictEqual(offline.status, 0, offline.stderr);
    assert.deepStrictEqual(JSON.parse(offline.stdout).findings, findings);
  });
});
