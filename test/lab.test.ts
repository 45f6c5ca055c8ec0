// Lab mode (Pulumi.lab.yaml, cluster.create): the cluster, node group, KServe install and model,
// with the dependencies that make `up` and `destroy` run in a safe order.
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_VERSION, KSERVE_CONTROLLER_CHART, KSERVE_CRD_CHART, KSERVE_VERSION } from "../components/kserveInstall";
import { ModelServing } from "../components/modelServing";
import { renderObjects } from "../core/render";
import { Settings } from "../core/config/settings";
import { stackSettings } from "../core/config/stackFile";
import { settingsWith } from "./helpers/config";
import { chartFilesMissingReason, chartYaml, controllerChartValues, hasPath, leafPaths } from "./helpers/kserveCharts";
import { crdMissingReason, inferenceServiceErrors } from "./helpers/kserveSchema";
import { RecordedOptions, recordOptions, RecordingMocks, settle, useMocks, valueOf } from "./helpers/mocks";

const ROOT = path.resolve(__dirname, "..");
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";

const labSettings = (stack: string) => stackSettings(stack, ROOT);

interface LabRun {
  mocks: RecordingMocks;
  options: RecordedOptions[];
  serving: ModelServing;
}

async function deploy(settings: Settings, stack: string): Promise<LabRun> {
  const mocks = await useMocks(stack);
  const options: RecordedOptions[] = [];
  const serving = new ModelServing("model-serving", settings, { transformations: [recordOptions(options)] });
  await valueOf(serving.inferenceServiceName);
  await settle();
  return { mocks, options, serving };
}

/** The names of the resources a recorded resource's options depend on. */
async function dependsOnNames(run: LabRun, type: string, name?: string): Promise<string[]> {
  const recorded = run.options.find((o) => o.type === type && (name === undefined || o.name === name));
  assert.ok(recorded, `no ${type} ${name ?? ""} registered`);
  const dependsOn = recorded.opts.dependsOn;
  const resources = (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) as pulumi.Input<pulumi.Resource>[];
  const urns = await Promise.all(resources.map((r) => valueOf(pulumi.output(r).apply((resource) => resource.urn))));
  return urns.map((urn) => urn.split("::").pop()!);
}

describe("lab mode: settings", () => {
  it("Pulumi.lab.yaml: creates a cluster, Standard mode, force-deleted repository, no shared-role change", () => {
    const s = labSettings("lab");
    assert.deepStrictEqual(
      { create: s.cluster.create, name: s.cluster.name, version: s.cluster.version, instanceType: s.cluster.instanceType, nodes: s.cluster.nodes },
      { create: true, name: "model-serving-lab", version: "1.33", instanceType: "t3.large", nodes: { min: 1, desired: 2, max: 3 } },
    );
    assert.strictEqual(s.deploymentMode, "Standard");
    assert.strictEqual(s.ecr.forceDelete, true);
    assert.strictEqual(s.nodeRoleAccess.enabled, false);
  });

  it("defaults a lab to Standard mode and the installed KServe, a stack-named cluster and force delete", () => {
    const s = settingsWith({ "model-serving:cluster": { create: true }, "model-serving:nodeRoleAccess": {} }, "trainee7");
    assert.strictEqual(s.deploymentMode, "Standard");
    assert.strictEqual(s.kserveVersion, "0.20");
    // The legacy name and the installed release, written out, are the same choices.
    const spelled = settingsWith({ "model-serving:cluster": { create: true }, "model-serving:nodeRoleAccess": {}, "model-serving:deploymentMode": "RawDeployment", "model-serving:kserveVersion": "v0.20.0" });
    assert.deepStrictEqual([spelled.deploymentMode, spelled.kserveVersion], ["Standard", "v0.20.0"]);
    assert.strictEqual(s.cluster.name, "model-serving-trainee7");
    assert.strictEqual(s.ecr.forceDelete, true);
    assert.strictEqual(s.nodeRoleAccess.enabled, false);
  });

  it("refuses what a lab cannot do, naming the key", () => {
    const problems = (overrides: Record<string, unknown>) => {
      try {
        settingsWith({ "model-serving:nodeRoleAccess": {}, ...overrides });
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    for (const mode of ["Knative", "Serverless"]) {
      assert.deepStrictEqual(problems({ "model-serving:cluster": { create: true }, "model-serving:deploymentMode": mode }), [
        `model-serving:deploymentMode: "${mode}" cannot be used with cluster.create: the lab installs KServe without Knative; use Standard, or leave deploymentMode unset`,
      ]);
    }
    for (const version of ["0.13", "0.19", "v0.20.1", "1.0"]) {
      assert.deepStrictEqual(problems({ "model-serving:cluster": { create: true }, "model-serving:kserveVersion": version }), [
        `model-serving:kserveVersion: "${version}" conflicts with cluster.create: the lab installs KServe v0.20.0; remove kserveVersion or set it to "0.20"`,
      ]);
    }
    assert.match(problems({ "model-serving:cluster": { create: true, nodes: { min: 3, desired: 2 } } }).join("\n"), /model-serving:cluster.nodes: .* min ≤ desired ≤ max/);
    assert.match(problems({ "model-serving:cluster": { create: true, subnetIds: ["subnet-0a1b"] } }).join("\n"), /model-serving:cluster.vpcId: .*set together with cluster.subnetIds/);
    assert.match(problems({ "model-serving:cluster": { create: true, vpcId: "vpc-0a1b", subnetIds: ["subnet-0a1b"] } }).join("\n"), /model-serving:cluster.subnetIds: .*two availability zones/);
    assert.match(problems({ "model-serving:cluster": { create: true, version: "1.3" } }).join("\n"), /model-serving:cluster.version: "1.3" must be a Kubernetes minor version/);
    assert.match(problems({ "model-serving:cluster": { create: true }, "model-serving:nodeRoleAccess": { enabled: true, roleNames: ["shared"] } }).join("\n"), /model-serving:nodeRoleAccess.enabled: true is not needed with cluster.create/);
    assert.match(problems({ "model-serving:cluster": { vpcId: "vpc-0a1b" } }).join("\n"), /model-serving:cluster.vpcId: .*only when cluster.create/);
    assert.match(problems({ "aws:region": undefined, "model-serving:cluster": { create: true } }).join("\n"), /model-serving:cluster.create: true needs aws:region/);
  });
});

describe("lab mode: the program under mocks", () => {
  let run: LabRun;
  before(async () => {
    run = await deploy(labSettings("lab"), "lab");
  });

  it("creates an EKS cluster in the default VPC, with access entries and no default node group", () => {
    const cluster = run.mocks.one("eks:index:Cluster").inputs;
    assert.strictEqual(cluster.name, "model-serving-lab");
    assert.strictEqual(cluster.version, "1.33");
    assert.strictEqual(cluster.vpcId, "vpc-0d1e2f3a4b5c6d7e8");
    assert.deepStrictEqual(cluster.subnetIds, ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829", "subnet-0c3d4e5f607182930"]);
    assert.strictEqual(cluster.authenticationMode, "API");
    assert.strictEqual(cluster.skipDefaultNodeGroup, true);
  });

  it("a managed node group of the configured type and sizes", () => {
    const group = run.mocks.one("eks:index:ManagedNodeGroup").inputs;
    assert.deepStrictEqual(group.instanceTypes, ["t3.large"]);
    assert.deepStrictEqual(group.scalingConfig, { minSize: 1, desiredSize: 2, maxSize: 3 });
  });

  it("the node role carries the worker, CNI and ECR read-only policies, owned by the lab (not retained)", () => {
    const attachments = run.mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.deepStrictEqual(attachments.map((a) => a.inputs.policyArn).sort(), [
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]);
    const role = run.mocks.one("aws:iam/role:Role");
    assert.ok(attachments.every((a) => a.inputs.role === `${role.name}-7f3a2b1`), "all on the lab's own node role");
    assert.match(JSON.stringify(role.inputs.assumeRolePolicy), /ec2.amazonaws.com/);
    const attachmentOptions = run.options.filter((o) => o.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.ok(attachmentOptions.every((o) => !o.opts.retainOnDelete), "a lab's destroy removes its own role's attachments");
  });

  it("installs cert-manager, the KServe CRDs and controller, pinned, in Standard mode without ingress or Istio", () => {
    const releases = run.mocks.ofType(RELEASE).map((r) => r.inputs);
    assert.deepStrictEqual(
      releases.map((r) => [r.chart, r.version]),
      [
        ["cert-manager", CERT_MANAGER_VERSION],
        ["oci://ghcr.io/kserve/charts/kserve-crd", "v0.20.0"],
        ["oci://ghcr.io/kserve/charts/kserve-resources", "v0.20.0"],
      ],
    );
    assert.strictEqual(KSERVE_VERSION, "v0.20.0", "the version of the CRD in ../shared/kserve");
    assert.strictEqual(releases[0].repositoryOpts.repo, "https://charts.jetstack.io");
    assert.deepStrictEqual(releases[0].values, { crds: { enabled: true } });
    assert.deepStrictEqual(releases[2].values, {
      kserve: { controller: { deploymentMode: "Standard", gateway: { disableIngressCreation: true, disableIstioVirtualHost: true } } },
    });
  });

  it("orders the install: node group, then cert-manager, then CRDs, then the controller", async () => {
    assert.deepStrictEqual(await dependsOnNames(run, RELEASE, "model-serving-kserve-cert-manager"), ["model-serving-lab-nodes"]);
    assert.deepStrictEqual(await dependsOnNames(run, RELEASE, "model-serving-kserve-crds"), ["model-serving-kserve-cert-manager"]);
    assert.deepStrictEqual(await dependsOnNames(run, RELEASE, "model-serving-kserve-controller"), ["model-serving-kserve-cert-manager", "model-serving-kserve-crds"]);
  });

  it("the InferenceService depends on the install (created after it, deleted before it)", async () => {
    const names = await dependsOnNames(run, "model-serving:kserve:InferenceService");
    assert.ok(names.includes("model-serving-kserve"), names.join(", "));
  });

  it("every Kubernetes object goes to the lab cluster through its own provider", () => {
    const provider = run.mocks.one("pulumi:providers:kubernetes");
    assert.strictEqual(provider.name, "model-serving-lab");
    assert.match(provider.inputs.kubeconfig, /model-serving-lab/);
    for (const resource of [...run.mocks.ofType(RELEASE), run.mocks.one(ISVC), run.mocks.one("kubernetes:core/v1:Namespace")]) {
      assert.match(resource.provider ?? "", /pulumi:providers:kubernetes::model-serving-lab::/, `${resource.type} ${resource.name}`);
    }
  });

  it("deploys the model in Standard mode with the core program's rules", async () => {
    const isvc = run.mocks.one(ISVC).inputs;
    const container = isvc.spec.predictor.containers[0];
    assert.strictEqual(isvc.metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
    assert.strictEqual(isvc.metadata.annotations["pulumi.com/waitFor"], undefined, "the rollout watch waits, not the provider");
    assert.deepStrictEqual(container.env.find((e: any) => e.name === "PORT"), { name: "PORT", value: "8000" });
    assert.ok(container.startupProbe, "Standard mode gets a startup probe");
    assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
    assert.strictEqual(run.mocks.one("aws:ecr/repository:Repository").inputs.forceDelete, true);
    assert.strictEqual(await valueOf(run.serving.clusterName), "model-serving-lab");
  });

  it("an existing-cluster stack creates none of the lab's resources", async () => {
    const dev = await deploy(labSettings("dev"), "dev");
    for (const type of ["eks:index:Cluster", "eks:index:ManagedNodeGroup", RELEASE, "aws:iam/role:Role"]) {
      assert.strictEqual(dev.mocks.ofType(type).length, 0, type);
    }
    assert.ok(!dev.mocks.calls.some((c) => c.token === "aws:ec2/getVpc:getVpc"));
  });

  it("given subnets: no default-VPC lookup", async () => {
    const s = settingsWith({ "model-serving:nodeRoleAccess": {}, "model-serving:cluster": { create: true, vpcId: "vpc-0aa", subnetIds: ["subnet-0a", "subnet-0b"] } }, "lab2");
    const custom = await deploy(s, "lab2");
    assert.strictEqual(custom.mocks.one("eks:index:Cluster").inputs.vpcId, "vpc-0aa");
    assert.deepStrictEqual(custom.mocks.one("eks:index:ManagedNodeGroup").inputs.subnetIds, ["subnet-0a", "subnet-0b"]);
    assert.ok(!custom.mocks.calls.some((c) => c.token.startsWith("aws:ec2/")));
  });
});

describe("lab mode: the KServe releases against the published v0.20.0 charts (../shared/kserve/charts)", function () {
  let releases: Record<string, any>[];
  before(async function () {
    const reason = chartFilesMissingReason();
    if (reason) {
      console.log(`      ${reason}`);
      this.skip();
    }
    releases = (await deploy(labSettings("lab"), "lab")).mocks.ofType(RELEASE).map((r) => r.inputs);
  });

  const release = (chart: string) => releases.find((r) => r.chart === chart)!;

  it("installs charts by their published names and versions (Chart.yaml)", () => {
    for (const [chart, published] of [[KSERVE_CRD_CHART, chartYaml("kserve-crd")], [KSERVE_CONTROLLER_CHART, chartYaml("kserve-resources")]] as const) {
      assert.ok(release(chart), `no release of ${chart}`);
      assert.strictEqual(chart, `oci://ghcr.io/kserve/charts/${published.name}`);
      assert.strictEqual(release(chart).version, published.version, chart);
    }
  });

  it("sets only values keys the controller chart's values.yaml has (a misspelt key would be ignored by Helm)", () => {
    const chartValues = controllerChartValues();
    const set = leafPaths(release(KSERVE_CONTROLLER_CHART).values);
    assert.deepStrictEqual(set.sort(), [
      "kserve.controller.deploymentMode",
      "kserve.controller.gateway.disableIngressCreation",
      "kserve.controller.gateway.disableIstioVirtualHost",
    ]);
    assert.deepStrictEqual(set.filter((key) => !hasPath(chartValues, key)), []);
    // The check is live: a key the chart does not have is caught.
    assert.strictEqual(hasPath(chartValues, "kserve.controller.gateway.disableIstioVirtualHosts"), false);
  });

  it("the CRD chart takes no values", () => {
    assert.strictEqual(release(KSERVE_CRD_CHART).values, undefined);
  });
});

describe("lab mode: render", () => {
  it("renders the lab's namespace and a CRD-valid Standard-mode InferenceService", function () {
    const objects: any[] = renderObjects(labSettings("lab"));
    assert.deepStrictEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ["Namespace/lab", "InferenceService/california-housing"]);
    assert.strictEqual(objects[1].metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
    if (crdMissingReason()) {
      console.log(`      ${crdMissingReason()}`);
      this.skip();
    }
    assert.deepStrictEqual(inferenceServiceErrors(objects[1]), []);
  });
});
