// Settings: the defaults, then one test per rule that refuses a bad value (309 lines: the rules are
// many and short, and reading them as one table is what keeps the messages consistent).
import * as assert from "assert";
import { decodeConfigValue, MAX_KNATIVE_MODEL_NAME, parseSettings, SettingsError } from "../core/config/settings";
import { PROJECT_DIR, settingsWith, validConfig } from "./helpers/config";

/** The problems a config is refused for (fails the test if it is accepted). */
function problemsOf(overrides: Record<string, unknown>): string[] {
  try {
    settingsWith(overrides);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${error}`);
    assert.ok(error.message.includes(error.problems.join("\n  ")), "the message lists every problem");
    return error.problems;
  }
  assert.fail(`config was accepted: ${JSON.stringify(overrides)}`);
}

/** Asserts the config is refused with exactly one problem, about `key`, mentioning `text`. */
function refused(overrides: Record<string, unknown>, key: string, text: RegExp): void {
  const problems = problemsOf(overrides);
  assert.strictEqual(problems.length, 1, problems.join("\n"));
  assert.ok(problems[0].startsWith(`model-serving:${key}: `), `names ${key}: ${problems[0]}`);
  assert.match(problems[0], text);
}

const DIGEST = `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"c".repeat(64)}`;

describe("settings: defaults", () => {
  it("fills every key a user leaves out", () => {
    const s = settingsWith({}, "dev");
    assert.strictEqual(s.modelName, "california-housing");
    assert.strictEqual(s.namespace, "model-serving");
    assert.strictEqual(s.createNamespace, true);
    assert.strictEqual(s.deploymentMode, "Knative");
    assert.strictEqual(s.kserveVersion, "0.20");
    assert.strictEqual(s.port, 8000);
    assert.deepStrictEqual(s.build, { context: "app", dockerfile: "app/Dockerfile", platform: "linux/amd64" });
    assert.deepStrictEqual(s.ecr, { repositoryName: "model-serving/dev/california-housing", forceDelete: false, keepTaggedImages: 10, kmsKeyArn: undefined });
    assert.deepStrictEqual(s.resources, { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    assert.deepStrictEqual(s.replicas, { min: 1, max: 3 });
    assert.strictEqual(s.readyTimeoutSeconds, 600);
    assert.strictEqual(s.pullSecret.enabled, false);
    assert.strictEqual(s.cluster.region, "ap-northeast-2");
  });

  it("probes: no readiness delay, aggressive readiness and no startup probe in Knative mode", () => {
    const s = settingsWith();
    assert.deepStrictEqual(s.probes.readiness, { path: "/health", initialDelaySeconds: 0, periodSeconds: 0, timeoutSeconds: undefined, failureThreshold: undefined });
    assert.strictEqual(s.probes.liveness.path, "/v2/health/live");
    assert.strictEqual(s.probes.startup.enabled, false);
  });

  for (const name of ["Standard", "RawDeployment"]) {
    it(`probes: timed readiness and a startup probe on the readiness path in Standard mode (deploymentMode: ${name})`, () => {
      const s = settingsWith({ "model-serving:deploymentMode": name });
      assert.deepStrictEqual(s.probes.readiness, { path: "/health", initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 });
      assert.deepStrictEqual(s.probes.startup, { enabled: true, path: "/health", initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 });
    });
  }

  it("keeps 0 and false where the user wrote them (no || defaults)", () => {
    const s = settingsWith({ "model-serving:replicas": { min: 0, max: 2 }, "model-serving:createNamespace": false, "model-serving:probes": { readiness: { periodSeconds: 0 } } });
    assert.strictEqual(s.replicas.min, 0);
    assert.strictEqual(s.createNamespace, false);
    assert.strictEqual(s.probes.readiness.periodSeconds, 0);
  });

  it("accepts the engine's string form of every value", () => {
    const engine = Object.fromEntries(
      Object.entries(validConfig({ "model-serving:port": 9000, "model-serving:createNamespace": false, "model-serving:resources": { limits: { memory: "1Gi" } } })).map(([k, v]) => [
        k,
        decodeConfigValue(typeof v === "string" ? v : JSON.stringify(v)),
      ]),
    );
    const s = parseSettings(engine, { stack: "dev", projectDir: PROJECT_DIR });
    assert.strictEqual(s.port, 9000);
    assert.strictEqual(s.createNamespace, false);
    assert.strictEqual(s.resources.limits.memory, "1Gi");
    assert.strictEqual(decodeConfigValue("kubeflow-user01"), "kubeflow-user01");
  });

  it("reads numbers and booleans the same from the engine's strings and from a stack file's quoted values", () => {
    const quoted = { "model-serving:port": "8080", "model-serving:createNamespace": "false", "model-serving:replicas": { min: "2", max: "4" }, "model-serving:namespace": "123" };
    const fromFile = settingsWith(quoted);
    const engineForm = Object.fromEntries(Object.entries(validConfig(quoted)).map(([k, v]) => [k, decodeConfigValue(typeof v === "string" ? v : JSON.stringify(v))]));
    const fromEngine = parseSettings(engineForm, { stack: "test", projectDir: PROJECT_DIR });
    for (const s of [fromFile, fromEngine]) {
      assert.deepStrictEqual([s.port, s.createNamespace, s.replicas, s.namespace], [8080, false, { min: 2, max: 4 }, "123"]);
    }
    refused({ "model-serving:port": "80" }, "port", /from 1024 to 65535/);
    refused({ "model-serving:createNamespace": "no" }, "createNamespace", /true or false/);
  });

  it("an image by digest needs no build context", () => {
    const s = parseSettings(validConfig({ "model-serving:image": DIGEST }), { stack: "dev", projectDir: "/nonexistent" });
    assert.strictEqual(s.image, DIGEST);
  });
});

describe("settings: every bad value is refused with its key", () => {
  it("one error lists every bad key at once", () => {
    const problems = problemsOf({ "model-serving:port": 80, "model-serving:modelName": "Bad_Name", "model-serving:resources": { limits: { memory: "2GB" } } });
    assert.strictEqual(problems.length, 3, problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("model-serving:port:")));
    assert.ok(problems.some((p) => p.startsWith("model-serving:modelName:")));
    assert.ok(problems.includes('model-serving:resources.limits.memory: "2GB" is not a positive Kubernetes quantity (did you mean "2Gi"?)'), problems.join("\n"));
  });

  it("a bad list element does not hide the rules between keys: every bad key is still listed", () => {
    const problems = problemsOf({ "model-serving:nodeRoleAccess": { roleNames: ["", "eks-node-role"] }, "model-serving:replicas": { min: 4, max: 2 } });
    assert.ok(problems.some((p) => p.startsWith("model-serving:nodeRoleAccess.roleNames.0: ")), problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("model-serving:replicas.min: 4 is above replicas.max")), problems.join("\n"));
    assert.strictEqual(problems.length, 2, problems.join("\n"));
  });

  it("a node role given as an ARN is refused with its name (the attachment takes names)", () => {
    refused({ "model-serving:nodeRoleAccess": { roleNames: ["arn:aws:iam::123456789012:role/eks-node-role"] } }, "nodeRoleAccess.roleNames.0", /is a role ARN; give the role's name, "eks-node-role"/);
    refused({ "model-serving:nodeRoleAccess": { roleNames: ["arn:aws:iam::123456789012:role/team/nodes"] } }, "nodeRoleAccess.roleNames.0", /"nodes"/);
    refused({ "model-serving:nodeRoleAccess": { roleNames: ["eks node role"] } }, "nodeRoleAccess.roleNames.0", /not an IAM role name/);
  });

  it("build.dockerfile naming a folder, or build.context naming a file, is refused before any build", () => {
    refused({ "model-serving:build": { dockerfile: "app" } }, "build.dockerfile", /is a folder; point it at the model server's Dockerfile \(e\.g\. "app\/Dockerfile"\)/);
    refused({ "model-serving:build": { context: "app/Dockerfile", dockerfile: "app/Dockerfile" } }, "build.context", /is a file; point it at the model server's folder/);
  });

  it("model name must be a DNS-1035 label", () => {
    refused({ "model-serving:modelName": "California_Housing" }, "modelName", /not a valid name/);
    refused({ "model-serving:modelName": "1model" }, "modelName", /starting with a letter/);
    refused({ "model-serving:modelName": "model-" }, "modelName", /not a valid name/);
    refused({ "model-serving:modelName": 42 }, "modelName", /must be a string/);
  });

  it("model name must leave room for Knative's derived names in Knative mode", () => {
    const name = "m".repeat(MAX_KNATIVE_MODEL_NAME + 1);
    refused({ "model-serving:modelName": name, "model-serving:namespace": "ns" }, "modelName", /in Knative mode at most 39 .*-predictor-00001-private/);
    refused({ "model-serving:modelName": name, "model-serving:namespace": "ns", "model-serving:deploymentMode": "Serverless" }, "modelName", /in Knative mode/);
    assert.strictEqual(settingsWith({ "model-serving:modelName": "m".repeat(MAX_KNATIVE_MODEL_NAME), "model-serving:namespace": "ns" }).modelName.length, 39);
    // Standard mode has no Knative revisions, so the same name fits there.
    for (const mode of ["Standard", "RawDeployment"]) {
      assert.ok(settingsWith({ "model-serving:modelName": name, "model-serving:namespace": "ns", "model-serving:deploymentMode": mode }));
    }
  });

  it("model name and namespace together must fit KServe's host label", () => {
    refused({ "model-serving:modelName": "a".repeat(30), "model-serving:namespace": "b".repeat(23) }, "modelName", /<name>-predictor-<namespace>/);
  });

  it("namespace must be a DNS-1123 label", () => {
    refused({ "model-serving:namespace": "Kubeflow.User" }, "namespace", /not a valid name/);
    refused({ "model-serving:namespace": "n".repeat(64) }, "namespace", /at most 63/);
  });

  it("port must be an integer from 1024 to 65535", () => {
    refused({ "model-serving:port": 80 }, "port", /from 1024 to 65535/);
    refused({ "model-serving:port": 70000 }, "port", /from 1024 to 65535/);
    refused({ "model-serving:port": 8000.5 }, "port", /whole number/);
    refused({ "model-serving:port": "http" }, "port", /whole number/);
  });

  it("port must not be one Knative reserves, in Knative mode (either name)", () => {
    for (const port of [8012, 8022, 9090]) {
      refused({ "model-serving:port": port }, "port", /reserved by Knative/);
      refused({ "model-serving:port": port, "model-serving:deploymentMode": "Knative" }, "port", /reserved by Knative/);
      refused({ "model-serving:port": port, "model-serving:deploymentMode": "Serverless" }, "port", /reserved by Knative/);
    }
    for (const mode of ["Standard", "RawDeployment"]) {
      assert.strictEqual(settingsWith({ "model-serving:port": 9090, "model-serving:deploymentMode": mode }).port, 9090);
    }
  });

  it("deployment mode: Knative or Standard, or their legacy names, normalised", () => {
    const modes = Object.fromEntries(["Knative", "Standard", "Serverless", "RawDeployment"].map((name) => [name, settingsWith({ "model-serving:deploymentMode": name }).deploymentMode]));
    assert.deepStrictEqual(modes, { Knative: "Knative", Standard: "Standard", Serverless: "Knative", RawDeployment: "Standard" });
    // As KServe reads the annotation: exact names only.
    for (const name of ["knative", "Raw", "ModelMesh", ""]) {
      refused({ "model-serving:deploymentMode": name }, "deploymentMode", /must be Knative or Standard \(the legacy names Serverless and RawDeployment mean the same modes\)/);
    }
  });

  it("kserveVersion: MAJOR.MINOR or vMAJOR.MINOR[.PATCH], quoted", () => {
    for (const version of ["0.13", "0.20", "v0.16", "v0.13.1", "1.0"]) {
      assert.strictEqual(settingsWith({ "model-serving:kserveVersion": version }).kserveVersion, version);
    }
    for (const version of ["0.13.1", "v0", "latest", "0.2x"]) {
      refused({ "model-serving:kserveVersion": version }, "kserveVersion", /MAJOR.MINOR or vMAJOR.MINOR\[.PATCH\]/);
    }
    // What an unquoted `kserveVersion: 0.20` is in a stack file.
    refused({ "model-serving:kserveVersion": 0.2 }, "kserveVersion", /quoted string .*0.20 as the number 0.2/);
  });

  it("resource quantities must be Kubernetes quantities", () => {
    refused({ "model-serving:resources": { limits: { memory: "2GB" } } }, "resources.limits.memory", /did you mean "2Gi"/);
    refused({ "model-serving:resources": { requests: { cpu: "half" } } }, "resources.requests.cpu", /not a positive Kubernetes quantity/);
    refused({ "model-serving:resources": { requests: { memory: "512m" } } }, "resources.requests.memory", /millibytes.*"512Mi"/);
    refused({ "model-serving:resources": { requests: { cpu: "0" } } }, "resources.requests.cpu", /positive/);
  });

  it("limits must be at least the requests", () => {
    refused({ "model-serving:resources": { requests: { cpu: "2" }, limits: { cpu: "1500m" } } }, "resources.limits.cpu", /below resources.requests.cpu/);
    refused({ "model-serving:resources": { requests: { memory: "1Gi" }, limits: { memory: "768Mi" } } }, "resources.limits.memory", /below resources.requests.memory/);
  });

  it("memory limit must hold the model server", () => {
    refused({ "model-serving:resources": { requests: { memory: "64Mi" }, limits: { memory: "128Mi" } } }, "resources.limits.memory", /OOMKilled/);
  });

  it("replicas: min ≤ max, whole numbers, and at least 1 in Standard mode (either name)", () => {
    refused({ "model-serving:replicas": { min: 4, max: 2 } }, "replicas.min", /above replicas.max/);
    refused({ "model-serving:replicas": { min: -1 } }, "replicas.min", /from 0 to 1000/);
    refused({ "model-serving:replicas": { max: 0 } }, "replicas.max", /from 1 to 1000/);
    refused({ "model-serving:replicas": { min: 0 }, "model-serving:deploymentMode": "Standard" }, "replicas.min", /at least 1 in Standard mode \(only Knative mode scales to zero\)/);
    refused({ "model-serving:replicas": { min: 0 }, "model-serving:deploymentMode": "RawDeployment" }, "replicas.min", /only Knative mode scales to zero/);
    assert.strictEqual(settingsWith({ "model-serving:replicas": { min: 0 }, "model-serving:deploymentMode": "Serverless" }).replicas.min, 0);
  });

  it("probe timings must be whole, positive and legal for the mode", () => {
    refused({ "model-serving:probes": { liveness: { periodSeconds: 0 } } }, "probes.liveness.periodSeconds", /at least 1/);
    refused({ "model-serving:probes": { liveness: { timeoutSeconds: 0 } } }, "probes.liveness.timeoutSeconds", /from 1 to 3600/);
    refused({ "model-serving:probes": { startup: { failureThreshold: 0 } } }, "probes.startup.failureThreshold", /from 1 to 1000/);
    refused({ "model-serving:probes": { readiness: { initialDelaySeconds: -5 } } }, "probes.readiness.initialDelaySeconds", /from 0 to 3600/);
    refused({ "model-serving:probes": { readiness: { path: "health" } } }, "probes.readiness.path", /starting with "\/"/);
    refused({ "model-serving:deploymentMode": "RawDeployment", "model-serving:probes": { readiness: { periodSeconds: 0 } } }, "probes.readiness.periodSeconds", /in Standard mode/);
    refused({ "model-serving:deploymentMode": "Standard", "model-serving:probes": { readiness: { periodSeconds: 0 } } }, "probes.readiness.periodSeconds", /in Standard mode/);
  });

  it("Knative: readiness periodSeconds 0 forbids timeoutSeconds and failureThreshold", () => {
    refused({ "model-serving:probes": { readiness: { timeoutSeconds: 3 } } }, "probes.readiness.timeoutSeconds", /rejected by Knative when probes.readiness.periodSeconds is 0/);
    refused({ "model-serving:probes": { readiness: { periodSeconds: 0, failureThreshold: 3 } } }, "probes.readiness.failureThreshold", /periodSeconds is 0/);
    const s = settingsWith({ "model-serving:probes": { readiness: { periodSeconds: 5, timeoutSeconds: 3 } } });
    assert.deepStrictEqual([s.probes.readiness.timeoutSeconds, s.probes.readiness.failureThreshold], [3, 3]);
  });

  it("ready timeout must be a positive whole number of seconds", () => {
    refused({ "model-serving:readyTimeoutSeconds": 0 }, "readyTimeoutSeconds", /from 1 to 86400/);
    refused({ "model-serving:readyTimeoutSeconds": "soon" }, "readyTimeoutSeconds", /whole number/);
  });

  it("image must be pinned by digest", () => {
    refused({ "model-serving:image": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/model:latest" }, "image", /pinned by digest/);
    refused({ "model-serving:image": "model@sha256:abc" }, "image", /pinned by digest/);
  });

  it("build: platform must be a Linux node CPU and the context must exist", () => {
    refused({ "model-serving:build": { platform: "darwin/arm64" } }, "build.platform", /linux\/amd64/);
    const problems = problemsOf({ "model-serving:build": { context: "no-such-dir" } });
    assert.ok(problems.some((p) => /^model-serving:build.context: "no-such-dir" does not exist/.test(p)), problems.join("\n"));
  });

  it("ecr: repository name and lifecycle count are checked", () => {
    refused({ "model-serving:ecr": { repositoryName: "Model Serving" } }, "ecr.repositoryName", /not a valid ECR repository name/);
    refused({ "model-serving:ecr": { keepTaggedImages: 0 } }, "ecr.keepTaggedImages", /from 1 to 1000/);
    refused({ "model-serving:ecr": { forceDelete: "yes" } }, "ecr.forceDelete", /true or false/);
  });

  it("node-role access needs roles or node groups, and node groups need the cluster", () => {
    refused({ "model-serving:nodeRoleAccess": {} }, "nodeRoleAccess.enabled", /roleNames nor nodeRoleAccess.nodeGroups/);
    refused({ "model-serving:nodeRoleAccess": { nodeGroups: ["workers"] } }, "nodeRoleAccess.nodeGroups", /needs cluster.name/);
    assert.strictEqual(settingsWith({ "model-serving:nodeRoleAccess": { enabled: false } }).nodeRoleAccess.enabled, false);
  });

  it("a pull secret needs an ECR image", () => {
    refused({ "model-serving:pullSecret": { enabled: true }, "model-serving:image": `ghcr.io/team/model@sha256:${"d".repeat(64)}` }, "pullSecret.enabled", /not in ECR/);
  });

  it("env may not set PORT or MODEL_NAME, and names must be valid", () => {
    refused({ "model-serving:env": { PORT: "8080" } }, "env.PORT", /set by the program \(from port\)/);
    refused({ "model-serving:env": { MODEL_NAME: "x" } }, "env.MODEL_NAME", /from modelName/);
    refused({ "model-serving:env": { "LOG-LEVEL": "debug" } }, "env.LOG-LEVEL", /environment variable name/);
  });

  it("env may not set what Knative sets itself, in Knative mode", () => {
    for (const name of ["K_SERVICE", "K_CONFIGURATION", "K_REVISION"]) {
      refused({ "model-serving:env": { [name]: "x" } }, `env.${name}`, /set by Knative, which refuses it from the user in Knative mode/);
    }
    refused({ "model-serving:env": { K_SERVICE: "x" }, "model-serving:deploymentMode": "Serverless" }, "env.K_SERVICE", /set by Knative/);
    assert.strictEqual(settingsWith({ "model-serving:env": { K_SERVICE: "x" }, "model-serving:deploymentMode": "RawDeployment" }).env.K_SERVICE, "x");
  });

  it("the ECR repository name derived from the stack must be valid too", () => {
    assert.throws(() => settingsWith({}, "team__A..b"), /model-serving:ecr.repositoryName: "model-serving\/team__a..b\/california-housing" \(derived from the stack and model names\)/);
    assert.strictEqual(settingsWith({ "model-serving:ecr": { repositoryName: "team/model" } }, "team__A..b").ecr.repositoryName, "team/model");
  });

  it("a pull secret must be for the registry of aws:region", () => {
    const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/model@sha256:${"d".repeat(64)}`;
    refused({ "model-serving:pullSecret": { enabled: true }, "model-serving:image": image }, "pullSecret.enabled", /is in us-east-1/);
    assert.ok(settingsWith({ "model-serving:pullSecret": { enabled: true }, "model-serving:image": image.replace("us-east-1", "ap-northeast-2") }));
  });

  it("unknown keys are refused, with the nearest known key", () => {
    refused({ "model-serving:containerPort": 8080 }, "containerPort", /not a setting of this program \(did you mean "model-serving:port"\?\)/);
    refused({ "model-serving:resources": { limit: { memory: "1Gi" } } }, "resources.limit", /not a setting/);
  });
});

describe("settings: autoscaling fits the mode's autoscaler", () => {
  it("Standard mode scales with an HPA: cpu and memory; concurrency and rps are refused with the key", () => {
    const standard = { "model-serving:deploymentMode": "Standard" };
    for (const metric of ["cpu", "memory"]) {
      assert.deepStrictEqual(settingsWith({ ...standard, "model-serving:autoscaling": { metric, target: 70 } }).autoscaling, { metric, target: 70 });
    }
    for (const metric of ["concurrency", "rps"]) {
      refused({ ...standard, "model-serving:autoscaling": { metric } }, "autoscaling.metric", /needs Knative's pod autoscaler .*Standard mode scales with an HPA on cpu or memory \(deploymentMode is Standard\)/);
    }
  });

  it("Knative mode scales with Knative's pod autoscaler: concurrency and rps; cpu and memory are refused with the key", () => {
    for (const metric of ["concurrency", "rps"]) {
      assert.strictEqual(settingsWith({ "model-serving:autoscaling": { metric, target: 500 } }).autoscaling.metric, metric);
    }
    for (const metric of ["cpu", "memory"]) {
      refused({ "model-serving:autoscaling": { metric } }, "autoscaling.metric", /is an HPA metric; Knative mode's pod autoscaler scales on concurrency or rps/);
    }
  });

  it("a cpu or memory target is a percentage, the mode's default metric included; an unknown metric is refused", () => {
    refused({ "model-serving:deploymentMode": "Standard", "model-serving:autoscaling": { metric: "memory", target: 150 } }, "autoscaling.target", /is a memory utilisation percentage: use 1 to 100/);
    refused({ "model-serving:deploymentMode": "Standard", "model-serving:autoscaling": { target: 150 } }, "autoscaling.target", /cpu utilisation percentage.*the cpu metric is the Standard mode default/);
    assert.strictEqual(settingsWith({ "model-serving:autoscaling": { target: 150 } }).autoscaling.target, 150, "Knative's default metric is concurrency: any count");
    refused({ "model-serving:autoscaling": { metric: "gpu" } }, "autoscaling.metric", /must be one of cpu, memory, concurrency, rps/);
  });

  it("scale to zero stays Knative's alone", () => {
    assert.strictEqual(settingsWith({ "model-serving:replicas": { min: 0 } }).replicas.min, 0);
    refused({ "model-serving:deploymentMode": "Standard", "model-serving:replicas": { min: 0 } }, "replicas.min", /only Knative mode scales to zero/);
  });
});
