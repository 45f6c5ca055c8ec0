// The whole program (index.ts) under mocks, with the example stacks' own config files.
import * as assert from "assert";
import * as path from "path";
import { DIGEST_REFERENCE } from "../core/imageReference";
import { renderObjects } from "../core/render";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig, stackSettings } from "../core/config/stackFile";
import { asEngineConfig } from "./helpers/config";
import { crdMissingReason, inferenceServiceErrors } from "./helpers/kserveSchema";
import { ACCOUNT, RecordingMocks, REGISTRY, settle, useMocks, valueOf } from "./helpers/mocks";

const ROOT = path.resolve(__dirname, "..");
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";

interface ProgramRun {
  mocks: RecordingMocks;
  outputs: Record<string, string>;
  isvc: any;
  container: any;
}

/** Runs index.ts as `pulumi up -s <stack>` would, with the stack file's config plus overrides. */
async function runProgram(stack: string, overrides: Record<string, unknown> = {}): Promise<ProgramRun> {
  const mocks = await useMocks(stack, asEngineConfig({ ...readStackConfig(ROOT, stack), ...overrides }));
  const entry = require.resolve("../index");
  delete require.cache[entry];
  const program = await require(entry)();
  const outputs: Record<string, string> = {};
  // `url` is known only after an update has watched the rollout (test/rolloutWatch.test.ts).
  for (const name of ["imageRef", "repositoryUrl", "namespace", "inferenceServiceName", "stableImageRef", "canaryImageRef"]) {
    outputs[name] = await valueOf(program[name]);
  }
  await settle();
  const isvc = mocks.one(ISVC).inputs;
  return { mocks, outputs, isvc, container: isvc.spec.predictor.containers[0] };
}

function probePorts(container: any): number[] {
  return ["readinessProbe", "livenessProbe", "startupProbe"].filter((p) => container[p]).map((p) => container[p].httpGet.port);
}

describe("program: dev stack (the lab, Knative mode)", function () {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram("dev");
  });

  it("registers the repository, lifecycle policy, build id, image, node-role access, provider, adopted namespace and InferenceService", () => {
    const types = run.mocks.resources.filter((r) => !r.type.startsWith("model-serving:")).map((r) => r.type).sort();
    assert.deepStrictEqual(types, [
      "aws:ecr/lifecyclePolicy:LifecyclePolicy",
      "aws:ecr/repository:Repository",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "docker:index/image:Image",
      "kubernetes:core/v1:Namespace",
      ISVC,
      "pulumi:providers:kubernetes",
      "random:index/randomId:RandomId",
    ]);
    assert.strictEqual(run.mocks.one("kubernetes:core/v1:Namespace").id, "kubeflow-user01", "the Kubeflow namespace is read, not created");
  });

  it("one port: container port = every probe port = the image build arg, and no PORT env", () => {
    const buildArg = Number(run.mocks.one("docker:index/image:Image").inputs.build.args.PORT);
    assert.strictEqual(buildArg, 8000);
    assert.deepStrictEqual(run.container.ports, [{ containerPort: 8000, protocol: "TCP", name: "http1" }]);
    assert.deepStrictEqual(probePorts(run.container), [8000, 8000]);
    assert.ok(!run.container.env.some((e: any) => e.name === "PORT"), "Knative injects PORT");
  });

  it("deploys the pushed image by digest and exports it", () => {
    assert.match(run.outputs.imageRef, DIGEST_REFERENCE);
    assert.strictEqual(run.container.image, run.outputs.imageRef);
    assert.ok(run.outputs.imageRef.startsWith(`${REGISTRY}/model-serving/dev/california-housing@sha256:`));
    assert.strictEqual(run.outputs.repositoryUrl, `${REGISTRY}/model-serving/dev/california-housing`);
  });

  it("exports the namespace and service name", () => {
    assert.strictEqual(run.outputs.namespace, "kubeflow-user01");
    assert.strictEqual(run.outputs.inferenceServiceName, "california-housing");
  });

  it("grants the node group's role ECR read access", () => {
    const attachment = run.mocks.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs;
    assert.strictEqual(attachment.role, "eksctl-kubeflow-lab-nodegroup-NodeInstanceRole-1A2B3C");
    assert.strictEqual(attachment.policyArn, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
  });

  it("talks to the named EKS cluster through its own provider", () => {
    const provider = run.mocks.one("pulumi:providers:kubernetes");
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
    assert.deepStrictEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "kubeflow-lab"]);
    for (const type of [ISVC, "kubernetes:core/v1:Namespace"]) {
      assert.match(run.mocks.one(type).provider ?? "", /pulumi:providers:kubernetes::model-serving-eks::/, type);
    }
    assert.ok(run.mocks.calls.some((c) => c.token === "aws:eks/getCluster:getCluster" && c.inputs.name === "kubeflow-lab"));
  });

  it("states its mode, and leaves the waiting to the rollout watch (no pulumi.com/waitFor)", () => {
    assert.deepStrictEqual(run.isvc.metadata.annotations, { "serving.kserve.io/deploymentMode": "Knative", "serving.knative.dev/progress-deadline": "600s" });
  });

  it("the registered InferenceService is valid against the KServe CRD", function () {
    const reason = crdMissingReason();
    if (reason) {
      console.log(`      ${reason}`);
      this.skip();
    }
    assert.deepStrictEqual(inferenceServiceErrors(run.isvc), []);
  });
});

describe("program: prod stack (Standard mode)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram("prod");
  });

  it("one port: container port = probes = build arg = PORT env", () => {
    const buildArg = run.mocks.one("docker:index/image:Image").inputs.build.args.PORT;
    assert.strictEqual(buildArg, "8000");
    assert.strictEqual(run.container.ports[0].containerPort, 8000);
    assert.deepStrictEqual(probePorts(run.container), [8000, 8000, 8000], "readiness, liveness and startup");
    assert.deepStrictEqual(run.container.env.find((e: any) => e.name === "PORT"), { name: "PORT", value: "8000" });
  });

  it("creates its namespace, runs 2 to 5 replicas and makes no pull secret", () => {
    const ns = run.mocks.one("kubernetes:core/v1:Namespace");
    assert.ok(!ns.id);
    assert.strictEqual(ns.inputs.metadata.name, "model-serving-prod");
    assert.deepStrictEqual([run.isvc.spec.predictor.minReplicas, run.isvc.spec.predictor.maxReplicas], [2, 5]);
    assert.strictEqual(run.mocks.ofType("kubernetes:core/v1:Secret").length, 0);
    assert.strictEqual(run.isvc.spec.predictor.imagePullSecrets, undefined);
    assert.strictEqual(run.isvc.metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
  });

  it("grants the named node role, with no node-group lookup", () => {
    assert.strictEqual(run.mocks.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.role, "ml-prod-node-role");
    assert.ok(!run.mocks.calls.some((c) => c.token === "aws:eks/getNodeGroup:getNodeGroup"));
  });
});

describe("program: registers exactly what render prints", () => {
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
  for (const stack of ["dev", "prod", "lab"]) {
    it(`${stack}: the same objects, but for the image digest`, async () => {
      const run = await runProgram(stack);
      const rendered: any[] = renderObjects(stackSettings(stack, ROOT));
      const isvc = rendered.find((o) => o.kind === "InferenceService");
      isvc.spec.predictor.containers[0].image = run.outputs.imageRef;
      assert.deepStrictEqual(plain(run.isvc), plain(isvc));
      const namespace = rendered.find((o) => o.kind === "Namespace");
      const registered = run.mocks.one("kubernetes:core/v1:Namespace");
      if (namespace) {
        assert.deepStrictEqual(plain(registered.inputs), plain(namespace));
      } else {
        assert.ok(registered.id, "an adopted namespace is read, and render prints none");
      }
    });
  }
});

describe("program: variations", () => {
  it("bring your own image: no repository and no build, the digest deployed as given", async () => {
    const image = `${ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"f".repeat(64)}`;
    const run = await runProgram("dev", { "model-serving:image": image });
    assert.strictEqual(run.mocks.ofType("aws:ecr/repository:Repository").length, 0);
    assert.strictEqual(run.mocks.ofType("docker:index/image:Image").length, 0);
    assert.strictEqual(run.container.image, image);
    assert.strictEqual(run.outputs.imageRef, image);
    assert.strictEqual(run.outputs.repositoryUrl, "");
  });

  it("stableImageRef is what the stable predictor serves: imageRef without a canary, rollout.stableImage beside one", async () => {
    const stable = `${ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"a".repeat(64)}`;
    const candidate = `${ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"b".repeat(64)}`;
    const plain = await runProgram("dev", { "model-serving:image": candidate });
    assert.strictEqual(plain.outputs.stableImageRef, candidate);
    assert.strictEqual(plain.outputs.canaryImageRef, "");
    const canary = await runProgram("dev", { "model-serving:image": candidate, "model-serving:rollout": { canaryPercent: 20, stableImage: stable } });
    assert.strictEqual(canary.outputs.imageRef, candidate, "imageRef stays the candidate this update deploys");
    assert.strictEqual(canary.outputs.stableImageRef, stable);
    assert.strictEqual(canary.outputs.canaryImageRef, candidate);
  });

  it("Standard mode with a canary: two InferenceServices, the stable's image unchanged and <name>-canary with the candidate; none once promoted", async () => {
    const stable = `${ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"a".repeat(64)}`;
    const candidate = `${ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"b".repeat(64)}`;
    const standard = { "model-serving:deploymentMode": "Standard", "model-serving:replicas": { min: 2, max: 3 } };
    const mocks = await useMocks("dev", asEngineConfig({ ...readStackConfig(ROOT, "dev"), ...standard, "model-serving:image": candidate, "model-serving:rollout": { canaryPercent: 20, stableImage: stable } }));
    const entry = require.resolve("../index");
    delete require.cache[entry];
    await require(entry)();
    await settle();
    const services = mocks.ofType(ISVC).map((r) => r.inputs).sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name));
    assert.deepStrictEqual(services.map((s: any) => [s.metadata.name, s.spec.predictor.containers[0].image, s.spec.predictor.minReplicas]), [
      ["california-housing", stable, 2],
      ["california-housing-canary", candidate, 1],
    ]);
    const promoted = await runProgram("dev", { ...standard, "model-serving:image": candidate, "model-serving:rollout": { canaryPercent: 20, stableImage: candidate } });
    assert.deepStrictEqual(promoted.mocks.ofType(ISVC).map((r) => r.inputs.metadata.name), ["california-housing"]);
    assert.strictEqual(promoted.container.image, candidate);
  });

  it("pull secret on: the secret exists and the predictor uses it", async () => {
    const run = await runProgram("dev", { "model-serving:pullSecret": { enabled: true } });
    const secret = run.mocks.one("kubernetes:core/v1:Secret");
    assert.strictEqual(secret.inputs.metadata.namespace, "kubeflow-user01");
    assert.deepStrictEqual(run.isvc.spec.predictor.imagePullSecrets, [{ name: secret.inputs.metadata.name }]);
  });

  it("node-role access off: no policy attachment", async () => {
    const run = await runProgram("dev", { "model-serving:nodeRoleAccess": { enabled: false } });
    assert.strictEqual(run.mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  it("no cluster.name: the ambient kubeconfig, no provider of its own", async () => {
    const run = await runProgram("dev", { "model-serving:cluster": {}, "model-serving:nodeRoleAccess": { roleNames: ["lab-nodes"] } });
    assert.strictEqual(run.mocks.ofType("pulumi:providers:kubernetes").length, 0);
    assert.doesNotMatch(run.mocks.one(ISVC).provider ?? "", /model-serving-eks/);
  });

  it("a bad config registers no resource at all", async () => {
    const mocks = await useMocks("dev", asEngineConfig({ ...readStackConfig(ROOT, "dev"), "model-serving:port": 8012, "model-serving:resources": { limits: { memory: "2GB" } } }));
    const entry = require.resolve("../index");
    delete require.cache[entry];
    // The engine prints a RunError's message without a stack trace.
    await assert.rejects(
      () => require(entry)(),
      (error: unknown) => error instanceof pulumi.RunError && /Invalid model-serving config \(2 problems\)/.test(error.message) && /model-serving:port: 8012/.test(error.message) && /resources.limits.memory/.test(error.message),
    );
    await settle();
    assert.deepStrictEqual(mocks.resources, []);
    assert.deepStrictEqual(mocks.calls, []);
  });
});
