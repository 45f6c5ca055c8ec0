// createNamespace for a namespace that already exists is refused before any resource is
// registered (the update would otherwise fail at the namespace after ECR, the image and IAM):
// the program as an update under mocks, reading a loopback API server as its provider would.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { namespaceManifest } from "../core/manifests";
import { modelServingProgram } from "../components/program";
import { settingsWith } from "./helpers/config";
import { FakeKubeApi, KubeObject, stateFrom } from "./helpers/fakeKubeApi";
import { settle, useMocks } from "./helpers/mocks";

describe("program: a namespace to create that already exists", function () {
  this.timeout(30000);
  let fake: FakeKubeApi | undefined;
  afterEach(() => fake?.stop());

  const settings = settingsWith({ "model-serving:namespace": "team-a", "model-serving:image": `127.0.0.1:5000/model-server@sha256:${"a".repeat(64)}` });

  async function updateWith(namespaces: KubeObject[], update = true) {
    fake = await new FakeKubeApi(stateFrom({ inferenceService: null, pods: [], events: [], logs: {} } as any, { namespaces, services: [null] })).start();
    const mocks = await useMocks("test", { "kubernetes:kubeconfig": fake.writeKubeconfig() }, update);
    const run = await modelServingProgram(settings).then(
      () => undefined,
      (error: unknown) => error,
    );
    await settle();
    return { mocks, error: run };
  }

  it("another's namespace: the update fails naming createNamespace, and nothing is registered", async () => {
    const { mocks, error } = await updateWith([{ metadata: { name: "team-a", labels: { owner: "someone-else" } } }]);
    assert.ok(error instanceof pulumi.RunError, `expected a RunError, got ${error}`);
    assert.match((error as Error).message, /model-serving:createNamespace: true, but namespace "team-a" already exists and this program did not create it; set createNamespace: false to adopt it/);
    assert.deepStrictEqual(mocks.resources, []);
    assert.ok(fake!.requests.some((r) => r.path === "/api/v1/namespaces/team-a"), "the cluster was asked");
  });

  it("the namespace this program made (its labels), or none yet: the update goes on", async () => {
    for (const namespaces of [[namespaceManifest(settings) as KubeObject], []]) {
      const { mocks, error } = await updateWith(namespaces);
      assert.strictEqual(error, undefined, String(error));
      assert.ok(mocks.resources.some((r) => r.type === "kubernetes:core/v1:Namespace"), "the namespace is registered");
      fake!.stop();
    }
  });

  it("a preview does not read the cluster", async () => {
    const { error } = await updateWith([{ metadata: { name: "team-a" } }], false);
    assert.strictEqual(error, undefined, String(error));
    assert.ok(!fake!.requests.some((r) => r.path === "/api/v1/namespaces/team-a"));
  });
});
