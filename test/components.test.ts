// Each component alone, under recording mocks: what it registers, with which inputs and options.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { contentHash, contextFiles } from "../core/buildContext";
import { DIGEST_REFERENCE } from "../core/imageReference";
import { InferenceService, requireDigest } from "../components/inferenceService";
import { eksKubeconfig } from "../components/kubeconfig";
import { ModelImage } from "../components/modelImage";
import { ModelNamespace, PULL_SECRET_WARNING } from "../components/modelNamespace";
import { ECR_READ_ONLY_POLICY_ARN, NodeRoleEcrAccess, roleNameFromArn } from "../components/nodeRoleEcrAccess";
import { ecrCredentials } from "../components/ecrCredentials";
import { fixtureProject, settingsWith } from "./helpers/config";
import { ACCOUNT, ECR_PASSWORD, isSecret, RecordedOptions, recordOptions, REGISTRY, settle, unwrapSecret, useMocks, valueOf } from "./helpers/mocks";

const DIGEST_IMAGE = `${REGISTRY}/team/model@sha256:${"a".repeat(64)}`;

function imageArgs(project: string, port = 8000) {
  return { repositoryName: "model-serving/test/california-housing", context: path.join(project, "app"), port };
}

describe("ModelImage", () => {
  const project = fixtureProject();

  it("creates a scanned, immutable, encrypted repository with forceDelete from its args", async () => {
    const mocks = await useMocks();
    const image = new ModelImage("model", { ...imageArgs(project), forceDelete: true });
    await valueOf(image.imageRef);
    const repo = mocks.one("aws:ecr/repository:Repository").inputs;
    assert.strictEqual(repo.name, "model-serving/test/california-housing");
    assert.deepStrictEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    assert.strictEqual(repo.imageTagMutability, "IMMUTABLE");
    assert.deepStrictEqual(repo.encryptionConfigurations, [{ encryptionType: "AES256" }]);
    assert.strictEqual(repo.forceDelete, true);
  });

  it("encrypts with the given KMS key", async () => {
    const mocks = await useMocks();
    const key = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    await valueOf(new ModelImage("model", { ...imageArgs(project), kmsKeyArn: key }).imageRef);
    assert.deepStrictEqual(mocks.one("aws:ecr/repository:Repository").inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key }]);
  });

  it("expires untagged images after a day and keeps the last N tagged", async () => {
    const mocks = await useMocks();
    await valueOf(new ModelImage("model", { ...imageArgs(project), keepTaggedImages: 7 }).imageRef);
    const policy = mocks.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs;
    assert.strictEqual(policy.repository, "model-serving/test/california-housing");
    const rules = JSON.parse(policy.policy).rules;
    assert.deepStrictEqual(rules[0].selection, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 });
    assert.deepStrictEqual(rules[1].selection, { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 7 });
    assert.deepStrictEqual(rules.map((r: any) => r.action.type), ["expire", "expire"]);
  });

  it("builds for linux/amd64 with the port as build arg and a content tag, pushing with ECR credentials", async () => {
    const mocks = await useMocks();
    const image = new ModelImage("model", imageArgs(project, 8123));
    await valueOf(image.imageRef);
    const built = mocks.one("docker:index/image:Image").inputs;
    assert.deepStrictEqual(built.build, { context: path.join(project, "app"), dockerfile: path.join(project, "app", "Dockerfile"), platform: "linux/amd64", args: { PORT: "8123" } });
    const tag = await valueOf(image.tag);
    assert.strictEqual(built.imageName, `${REGISTRY}/model-serving/test/california-housing:${tag}`);
    assert.match(tag, /^[0-9a-f]{16}-[0-9a-f]{8}$/);
    assert.ok(tag.startsWith(`${image.contentHash}-`));
    const registry = unwrapSecret(built.registry);
    assert.strictEqual(registry.secret, true, "the registry block carries the ECR password, so the engine gets it as a secret");
    assert.deepStrictEqual(registry.value, { server: REGISTRY, username: "AWS", password: ECR_PASSWORD });
    const tokenCall = mocks.calls.find((c) => c.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken");
    assert.strictEqual(tokenCall?.inputs.registryId, ACCOUNT);
  });

  it("renews the build id whenever the content changes, so a reverted build never reuses a pushed tag", async () => {
    const mocks = await useMocks();
    const image = new ModelImage("model", imageArgs(project, 8000));
    await valueOf(image.imageRef);
    const buildId = mocks.one("random:index/randomId:RandomId").inputs;
    assert.deepStrictEqual(buildId.keepers, { content: image.contentHash }, "a new content hash replaces the id (a revert too)");
    assert.strictEqual(buildId.byteLength, 4);
    await useMocks();
    const other = new ModelImage("model", imageArgs(project, 8080));
    assert.notStrictEqual(other.contentHash, image.contentHash);
  });

  it("outputs the image by digest, never by tag", async () => {
    await useMocks();
    const image = new ModelImage("model", imageArgs(project));
    const ref = await valueOf(image.imageRef);
    assert.match(ref, DIGEST_REFERENCE);
    assert.ok(ref.startsWith(`${REGISTRY}/model-serving/test/california-housing@sha256:`), ref);
  });

  it("keeps the registry password a secret", async () => {
    await useMocks();
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
    const credentials = ecrCredentials(ACCOUNT, parent);
    assert.strictEqual(await isSecret(credentials.password), true);
    assert.strictEqual(await valueOf(credentials.password), ECR_PASSWORD);
    assert.strictEqual(await valueOf(credentials.server), REGISTRY);
  });
});

describe("content tag", () => {
  it("is stable for the same content and changes with a file, the port or the platform", () => {
    const project = fixtureProject();
    const context = path.join(project, "app");
    const dockerfile = path.join(context, "Dockerfile");
    const base = contentHash(context, dockerfile, { PORT: "8000", platform: "linux/amd64" });
    assert.strictEqual(contentHash(context, dockerfile, { platform: "linux/amd64", PORT: "8000" }), base);
    assert.notStrictEqual(contentHash(context, dockerfile, { PORT: "8080", platform: "linux/amd64" }), base);
    assert.notStrictEqual(contentHash(context, dockerfile, { PORT: "8000", platform: "linux/arm64" }), base);
    fs.writeFileSync(path.join(context, "server.py"), "print('changed')\n");
    assert.notStrictEqual(contentHash(context, dockerfile, { PORT: "8000", platform: "linux/amd64" }), base);
  });

  it("ignores what .dockerignore keeps out of the build context", () => {
    const project = fixtureProject();
    const context = path.join(project, "app");
    const dockerfile = path.join(context, "Dockerfile");
    const before = contentHash(context, dockerfile, {});
    fs.mkdirSync(path.join(context, ".venv"));
    fs.writeFileSync(path.join(context, ".venv", "big.bin"), "x".repeat(1000));
    assert.strictEqual(contentHash(context, dockerfile, {}), before);
    assert.deepStrictEqual(contextFiles(context), [".dockerignore", "Dockerfile", "server.py"]);
  });

  it("refuses a context that is not a folder, naming the config key", () => {
    assert.throws(() => contentHash("/no/such/app", "/no/such/app/Dockerfile", {}), /model-serving:build.context/);
  });
});

describe("NodeRoleEcrAccess", () => {
  it("attaches AmazonEC2ContainerRegistryReadOnly to each named role, retained on destroy", async () => {
    const mocks = await useMocks();
    const options: RecordedOptions[] = [];
    const access = new NodeRoleEcrAccess("ecr", { roleNames: ["nodes-a", "nodes-b"] }, { transformations: [recordOptions(options)] });
    assert.deepStrictEqual(await valueOf(access.roleNames), ["nodes-a", "nodes-b"]);
    const attachments = mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.deepStrictEqual(attachments.map((a) => a.inputs.role), ["nodes-a", "nodes-b"]);
    for (const a of attachments) {
      assert.strictEqual(a.inputs.policyArn, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
    }
    assert.strictEqual(ECR_READ_ONLY_POLICY_ARN, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
    const attachmentOptions = options.filter((o) => o.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.strictEqual(attachmentOptions.length, 2);
    assert.ok(attachmentOptions.every((o) => o.opts.retainOnDelete === true), "detaching would break pulls cluster-wide");
  });

  it("resolves node groups to their roles through EKS", async () => {
    const mocks = await useMocks();
    const access = new NodeRoleEcrAccess("ecr", { nodeGroups: ["kubeflow-lab-nodes"], clusterName: "kubeflow-lab" });
    assert.deepStrictEqual(await valueOf(access.roleNames), ["eksctl-kubeflow-lab-nodegroup-NodeInstanceRole-1A2B3C"]);
    const call = mocks.calls.find((c) => c.token === "aws:eks/getNodeGroup:getNodeGroup");
    assert.deepStrictEqual({ clusterName: call?.inputs.clusterName, nodeGroupName: call?.inputs.nodeGroupName }, { clusterName: "kubeflow-lab", nodeGroupName: "kubeflow-lab-nodes" });
  });

  it("refuses node groups without a cluster", async () => {
    const mocks = await useMocks();
    assert.throws(() => new NodeRoleEcrAccess("ecr", { nodeGroups: ["workers"] }), /clusterName/);
    await settle();
    assert.strictEqual(mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  it("reads role names out of ARNs, with or without a path", () => {
    assert.strictEqual(roleNameFromArn("arn:aws:iam::123456789012:role/eks-nodes"), "eks-nodes");
    assert.strictEqual(roleNameFromArn("arn:aws:iam::123456789012:role/service-role/eks-nodes"), "eks-nodes");
    assert.throws(() => roleNameFromArn("arn:aws:iam::123456789012:user/alice"), /not an IAM role ARN/);
  });
});

describe("ModelNamespace", () => {
  it("creates the namespace when asked", async () => {
    const mocks = await useMocks();
    const ns = new ModelNamespace("ns", { settings: settingsWith({ "model-serving:namespace": "team-a" }) });
    assert.strictEqual(await valueOf(ns.name), "team-a");
    const created = mocks.one("kubernetes:core/v1:Namespace");
    assert.ok(!created.id, "a new namespace, not a read");
    assert.strictEqual(created.inputs.metadata.name, "team-a");
    assert.strictEqual(mocks.ofType("kubernetes:core/v1:Secret").length, 0, "no pull secret unless enabled");
  });

  it("adopts an existing (Kubeflow profile) namespace: read, never created or deleted", async () => {
    const mocks = await useMocks();
    const ns = new ModelNamespace("ns", { settings: settingsWith({ "model-serving:namespace": "kubeflow-user01", "model-serving:createNamespace": false }) });
    assert.strictEqual(await valueOf(ns.name), "kubeflow-user01");
    const read = mocks.one("kubernetes:core/v1:Namespace");
    assert.strictEqual(read.id, "kubeflow-user01", "registered as a read of the existing namespace");
  });

  it("makes a dockerconfigjson pull secret whose data is secret, and warns about the 12-hour token", async () => {
    const mocks = await useMocks();
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
      const registry = ecrCredentials(ACCOUNT, parent);
      const ns = new ModelNamespace("ns", { settings: settingsWith({ "model-serving:pullSecret": { enabled: true } }), registry });
      assert.strictEqual(await valueOf(ns.pullSecretName!), "california-housing-ecr-pull");
    } finally {
      console.warn = original;
    }
    const secret = mocks.one("kubernetes:core/v1:Secret");
    assert.strictEqual(secret.inputs.type, "kubernetes.io/dockerconfigjson");
    assert.strictEqual(secret.inputs.metadata.namespace, "model-serving");
    const data = unwrapSecret(secret.inputs.stringData);
    assert.strictEqual(data.secret, true, "the engine receives the data marked secret");
    const auths = JSON.parse(data.value[".dockerconfigjson"]).auths;
    assert.strictEqual(auths[REGISTRY].password, ECR_PASSWORD);
    assert.ok(warnings.some((w) => w.includes(PULL_SECRET_WARNING)), warnings.join("\n"));
  });
});

describe("InferenceService", () => {
  it("registers the KServe custom resource from the manifest builder, without the provider's Ready wait", async () => {
    const mocks = await useMocks();
    const isvc = new InferenceService("isvc", { settings: settingsWith(), image: DIGEST_IMAGE });
    await valueOf(isvc.name);
    const registered = mocks.one("kubernetes:serving.kserve.io/v1beta1:InferenceService");
    assert.strictEqual(registered.inputs.apiVersion, "serving.kserve.io/v1beta1");
    assert.strictEqual(registered.inputs.kind, "InferenceService");
    assert.strictEqual(registered.inputs.spec.predictor.containers[0].image, DIGEST_IMAGE);
    assert.strictEqual(registered.inputs.metadata.annotations["pulumi.com/waitFor"], undefined);
  });

  it("replaces by deleting first, since its name is fixed", async () => {
    await useMocks();
    const options: RecordedOptions[] = [];
    const isvc = new InferenceService("isvc", { settings: settingsWith(), image: DIGEST_IMAGE }, { transformations: [recordOptions(options)] });
    await valueOf(isvc.name);
    assert.strictEqual(options.find((o) => o.type.endsWith(":InferenceService") && o.type.startsWith("kubernetes:"))?.opts.deleteBeforeReplace, true);
  });

  it("refuses an image that is not pinned by digest", () => {
    assert.throws(() => requireDigest(`${REGISTRY}/team/model:latest`), /not pinned by digest/);
    assert.strictEqual(requireDigest(DIGEST_IMAGE), DIGEST_IMAGE);
  });
});

describe("EKS kubeconfig", () => {
  it("authenticates with aws eks get-token, so CI needs only AWS credentials", () => {
    const config = JSON.parse(eksKubeconfig("lab", "https://ABC.gr7.ap-northeast-2.eks.amazonaws.com", "Q0E=", "ap-northeast-2"));
    assert.strictEqual(config.clusters[0].cluster.server, "https://ABC.gr7.ap-northeast-2.eks.amazonaws.com");
    assert.strictEqual(config.clusters[0].cluster["certificate-authority-data"], "Q0E=");
    const exec = config.users[0].user.exec;
    assert.strictEqual(exec.command, "aws");
    assert.deepStrictEqual(exec.args, ["eks", "get-token", "--cluster-name", "lab", "--output", "json", "--region", "ap-northeast-2"]);
    assert.strictEqual(config["current-context"], "lab");
  });
});
