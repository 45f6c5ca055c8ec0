// `pulumi up` fails unless the applied spec serves: the InferenceService component under Pulumi
// mocks, run as an update, watching a loopback API that serves objects recorded on a real
// cluster (test/fixtures/rollouts). The provider's kubeconfig is the one the watch reads.
import * as assert from "assert";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { InferenceService } from "../components/inferenceService";
import { loadKubeConfig } from "../cluster/kubeApi";
import { settingsWith } from "./helpers/config";
import { FakeKubeApi } from "./helpers/fakeKubeApi";
import { isKnown, outcome, settle, useMocks } from "./helpers/mocks";
import { loadRecording, recordingState } from "./helpers/recordings";

describe("InferenceService: pulumi up watches the rollout", function () {
  this.timeout(30000);
  let fake: FakeKubeApi | undefined;
  let logged: string[];
  const original = { info: pulumi.log.info, error: pulumi.log.error };
  beforeEach(() => {
    logged = [];
    pulumi.log.info = async (message: string) => void logged.push(`info ${message}`);
    pulumi.log.error = async (message: string) => void logged.push(`error ${message}`);
  });
  afterEach(() => {
    fake?.stop();
    Object.assign(pulumi.log, original);
  });

  /** The recorded cluster behind a loopback API; the stack's settings for that service. */
  async function cluster(name: string) {
    const recording = loadRecording(name);
    fake = await new FakeKubeApi(recordingState(recording)).start();
    const settings = settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:namespace": "e2e-created", "model-serving:readyTimeoutSeconds": 20 });
    const image = recording.inferenceService!.spec!.predictor!.containers![0].image as string;
    return { settings, image, kubeconfig: fake.writeKubeconfig() };
  }

  it("an update resolves once the new ReplicaSet serves: the URL is KServe's, the revision named", async () => {
    const { settings, image, kubeconfig } = await cluster("standard-serving");
    await useMocks("e2e", { "kubernetes:kubeconfig": kubeconfig }, true);
    const isvc = new InferenceService("model-serving", { settings, image });
    const url = await outcome(isvc.url);
    assert.strictEqual(url.error, undefined, String(url.error));
    assert.strictEqual(url.value, "http://california-housing-e2e-created.example.com");
    assert.strictEqual((await outcome(isvc.revision)).value, "ReplicaSet california-housing-predictor-b86df89cc (Deployment california-housing-predictor revision 1)");
    assert.ok(logged.some((l) => l.startsWith("info serving: ReplicaSet california-housing-predictor-b86df89cc")), logged.join("\n"));
    assert.ok(fake!.requests.some((r) => r.path.startsWith("/apis/apps/v1/namespaces/e2e-created/deployments/california-housing-predictor")), "the watch read the Deployment");
  });

  it("a crash-looping update fails the update, though the service says Ready: the error carries the diagnosis", async () => {
    const { settings, image, kubeconfig } = await cluster("standard-crash-loop-update");
    await useMocks("e2e", { "kubernetes:kubeconfig": kubeconfig }, true);
    const isvc = new InferenceService("model-serving", { settings: { ...settings, env: { MODEL_DIR: "/nonexistent" } }, image });
    const url = await outcome(isvc.url);
    assert.ok(url.error instanceof pulumi.ResourceError, `expected the update to fail, got ${JSON.stringify(url)}`);
    assert.match(url.error!.message, /the rollout failed \(crash-loop\)/);
    const error = logged.find((l) => l.startsWith("error "));
    assert.ok(error, logged.join("\n"));
    assert.match(error!, /^error rollout failed: ReplicaSet california-housing-predictor-5987678594 .* will not serve: crash-loop/);
    assert.match(error!, /evidence: .*could not load model from \/nonexistent/);
    assert.match(error!, /fix: .*`model-serving:env`/);
  });

  it("reads the cluster with the kubeconfig given for the component's provider, before kubernetes:kubeconfig", async () => {
    const { settings, image, kubeconfig } = await cluster("standard-serving");
    await useMocks("e2e", { "kubernetes:kubeconfig": "/nonexistent/kubeconfig" }, true);
    const isvc = new InferenceService("model-serving", { settings, image, kubeconfig: fs.readFileSync(kubeconfig, "utf8") });
    assert.strictEqual((await outcome(isvc.url)).value, "http://california-housing-e2e-created.example.com");
  });

  it("honours kubernetes:context, as the default provider does", async () => {
    const { settings, image, kubeconfig } = await cluster("standard-serving");
    // A second context pointing nowhere is current; the config names the working one.
    const kc = loadKubeConfig(kubeconfig);
    const withOther = JSON.parse(kc.exportConfig());
    withOther.clusters.push({ name: "elsewhere", cluster: { server: "https://127.0.0.1:1" } });
    withOther.contexts.push({ name: "elsewhere", context: { cluster: "elsewhere", user: withOther.users[0].name } });
    withOther["current-context"] = "elsewhere";
    fs.writeFileSync(kubeconfig, JSON.stringify(withOther));
    await useMocks("e2e", { "kubernetes:kubeconfig": kubeconfig, "kubernetes:context": "fake" }, true);
    const isvc = new InferenceService("model-serving", { settings, image });
    assert.strictEqual((await outcome(isvc.url)).value, "http://california-housing-e2e-created.example.com");
  });

  it("a preview does not touch the cluster; the URL stays unknown", async () => {
    const { settings, image, kubeconfig } = await cluster("standard-serving");
    await useMocks("e2e", { "kubernetes:kubeconfig": kubeconfig });
    const isvc = new InferenceService("model-serving", { settings, image });
    await settle();
    assert.strictEqual(await isKnown(isvc.url), false);
    assert.deepStrictEqual(fake!.requests, []);
  });
});
