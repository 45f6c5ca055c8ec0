// The kserve-guardrails policies, called directly (`new PolicyPack` would start a server): each
// on a passing and a failing manifest, the lab's version 11 and 12 manifests, and the program's
// own dev manifest.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PolicyResourceOptions, ResourceValidationArgs } from "@pulumi/policy";
import { AnalyzeRequest, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as YAML from "yaml";
import { dockerConfigJson, inferenceServiceManifest, pullSecretManifest } from "../core/manifests";
import { ModelImage } from "../components/modelImage";
import { Settings } from "../core/config/settings";
import { stackSettings } from "../core/config/stackFile";
import { ECR_REPOSITORY_TYPE, INFERENCE_SERVICE_TYPE, policies, SECRET_TYPE } from "../policy/policies";
import { fixtureProject, settingsWith } from "./helpers/config";
import { ECR_PASSWORD, RecordedOptions, recordOptions, REGISTRY, settle, unwrapSecret, useMocks, valueOf } from "./helpers/mocks";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures");
/** What ModelImage deploys: the pushed repository, by digest. */
const DIGEST_IMAGE = `${REGISTRY}/model-serving/dev/california-housing@sha256:${"4e".repeat(32)}`;

interface Violation {
  policy: string;
  level: string;
  message: string;
}

/** The URN the program gives its InferenceService: a child of the ModelServing and InferenceService components. */
const PROGRAM_ISVC_URN = `urn:pulumi:dev::model-serving::model-serving:index:ModelServing$model-serving:kserve:InferenceService$${INFERENCE_SERVICE_TYPE}::model-serving`;

function validationArgs(type: string, props: Record<string, any>, opts: Partial<PolicyResourceOptions>, config: object, urn?: string): ResourceValidationArgs {
  return {
    type,
    props,
    urn: urn ?? `urn:pulumi:dev::model-serving::${type}::resource`,
    name: "resource",
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      ...opts,
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

/** Every policy of the pack run on one resource, as the engine would, with the violations collected. */
function evaluate(type: string, props: Record<string, any>, opts: Partial<PolicyResourceOptions> = {}, config: object = {}, urn?: string): Violation[] {
  const found: Violation[] = [];
  for (const policy of policies) {
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const validate of validations) {
      void validate(validationArgs(type, props, opts, config, urn), (message) => {
        found.push({ policy: policy.name, level: policy.enforcementLevel ?? "advisory", message });
      });
    }
  }
  return found;
}

const names = (violations: Violation[]) => [...new Set(violations.map((v) => v.policy))].sort();
const mandatory = (violations: Violation[]) => violations.filter((v) => v.level === "mandatory");
const of = (violations: Violation[], policy: string) => violations.filter((v) => v.policy === policy).map((v) => v.message);

function isvc(settings: Settings, image = DIGEST_IMAGE): any {
  return structuredClone(inferenceServiceManifest(settings, image));
}

function devSettings(): Settings {
  return stackSettings("dev", ROOT);
}

/** Each mode's two names: the rules must treat them alike. */
const KNATIVE_NAMES = ["Knative", "Serverless"];
const STANDARD_NAMES = ["Standard", "RawDeployment"];

/** The manifest with its deployment-mode annotation set to `name`, or removed. */
function withMode(manifest: any, name: string | undefined): any {
  if (name === undefined) {
    delete manifest.metadata.annotations["serving.kserve.io/deploymentMode"];
  } else {
    manifest.metadata.annotations["serving.kserve.io/deploymentMode"] = name;
  }
  return manifest;
}

/** The policies on an InferenceService registered as the program registers it (under its components). */
function checkIsvc(manifest: any, config: object = {}, urn = PROGRAM_ISVC_URN): Violation[] {
  return evaluate(INFERENCE_SERVICE_TYPE, manifest, {}, config, urn);
}

/** The policies on an InferenceService of another program (no rollout-watching component above it). */
function checkForeignIsvc(manifest: any): Violation[] {
  return evaluate(INFERENCE_SERVICE_TYPE, manifest);
}

function readFixture(name: string): any {
  return YAML.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}

describe("policy pack kserve-guardrails", () => {
  it("has uniquely named policies, each with a description and a level", () => {
    assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) {
      assert.ok(p.description.length > 10, p.name);
      assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
    }
    assert.strictEqual(policies.filter((p) => p.enforcementLevel === "mandatory").length, 13);
    assert.strictEqual(policies.filter((p) => p.enforcementLevel === "advisory").length, 5);
  });

  it("ignores resources of other types", () => {
    const lab = readFixture("lab-v11-inferenceservice.yaml");
    assert.deepStrictEqual(evaluate("kubernetes:apps/v1:Deployment", lab), []);
  });

  describe("the program's own dev manifest (inferenceServiceManifest of Pulumi.dev.yaml, deployed by digest)", () => {
    it("has no violation at all", () => {
      assert.deepStrictEqual(checkIsvc(isvc(devSettings())), []);
    });

    it("nor does a Standard-mode render (PORT env, startup probe), by either name and for either KServe naming", () => {
      for (const mode of STANDARD_NAMES) {
        for (const kserveVersion of ["0.20", "0.13"]) {
          const manifest = isvc(settingsWith({ "model-serving:deploymentMode": mode, "model-serving:port": 9000, "model-serving:kserveVersion": kserveVersion }));
          assert.deepStrictEqual(checkIsvc(manifest), [], `${mode} on ${kserveVersion}`);
        }
      }
    });

    it("nor a Knative-mode render with KServe 0.13's name (Serverless)", () => {
      const manifest = isvc(settingsWith({ "model-serving:deploymentMode": "Knative", "model-serving:kserveVersion": "0.13" }));
      assert.strictEqual(manifest.metadata.annotations["serving.kserve.io/deploymentMode"], "Serverless");
      assert.deepStrictEqual(checkIsvc(manifest), []);
    });
  });

  describe("the lab's version 11 manifest (port 8080, image on 8000, no probes, :latest)", () => {
    const violations = () => checkForeignIsvc(readFixture("lab-v11-inferenceservice.yaml"));

    it("fails on the missing probes, the tag and the root container", () => {
      assert.deepStrictEqual(names(mandatory(violations())), ["kserve-container-not-root", "kserve-image-pinned-by-digest", "kserve-probes-present"]);
    });

    it("names the fields and the fix", () => {
      const v = violations();
      assert.deepStrictEqual(of(v, "kserve-probes-present"), [
        "spec.predictor.containers[0].readinessProbe is missing: add an HTTP probe on the container port that succeeds once the model is loaded (e.g. /health).",
        "spec.predictor.containers[0].livenessProbe is missing: add an HTTP probe on the container port that succeeds while the process is alive (e.g. /v2/health/live).",
      ]);
      const [image] = of(v, "kserve-image-pinned-by-digest");
      assert.match(image, /^spec\.predictor\.containers\[0\]\.image ".*california-housing:latest" uses the tag latest: deploy repository@sha256:<digest>/);
      assert.ok(of(v, "kserve-container-not-root").some((m) => m.startsWith("spec.predictor.containers[0].securityContext.runAsNonRoot")));
    });

    it("is also advised to wait for Ready", () => {
      assert.deepStrictEqual(names(violations().filter((v) => v.level === "advisory")), ["kserve-wait-for-ready"]);
    });
  });

  describe("the lab's version 12 manifest (probes with 30 s / 60 s delays, :latest)", () => {
    const violations = () => checkForeignIsvc(readFixture("lab-v12-inferenceservice.yaml"));

    it("still fails on the tag and the root container", () => {
      assert.deepStrictEqual(names(mandatory(violations())), ["kserve-container-not-root", "kserve-image-pinned-by-digest"]);
    });

    it("is advised against the readiness delay, liveness on the readiness path and no wait", () => {
      const advisory = violations().filter((v) => v.level === "advisory");
      assert.deepStrictEqual(names(advisory), ["kserve-liveness-not-readiness-path", "kserve-readiness-no-initial-delay", "kserve-wait-for-ready"]);
      assert.match(of(advisory, "kserve-readiness-no-initial-delay")[0], /^spec\.predictor\.containers\[0\]\.readinessProbe\.initialDelaySeconds is 30: /);
      assert.match(of(advisory, "kserve-liveness-not-readiness-path")[0], /^spec\.predictor\.containers\[0\]\.livenessProbe\.httpGet\.path is "\/health", the readiness path/);
    });
  });

  describe("kserve-one-container-port", () => {
    it("passes one port", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-one-container-port"), []);
    });

    it("fails two ports and no port", () => {
      const two = isvc(devSettings());
      two.spec.predictor.containers[0].ports.push({ containerPort: 9000, protocol: "TCP" });
      assert.match(of(checkIsvc(two), "kserve-one-container-port")[0], /^spec\.predictor\.containers\[0\]\.ports has 2 entries: Knative allows exactly one/);
      const none = isvc(devSettings());
      delete none.spec.predictor.containers[0].ports;
      assert.match(of(checkIsvc(none), "kserve-one-container-port")[0], /^spec\.predictor\.containers\[0\]\.ports is missing: declare exactly one port/);
    });
  });

  describe("kserve-probe-ports-match", () => {
    it("passes a probe naming the port instead of its number", () => {
      const named = isvc(devSettings());
      named.spec.predictor.containers[0].readinessProbe.httpGet.port = "http1";
      assert.deepStrictEqual(of(checkIsvc(named), "kserve-probe-ports-match"), []);
    });

    it("fails a probe on another port, by number or by a name the port does not have", () => {
      const wrong = isvc(devSettings());
      wrong.spec.predictor.containers[0].readinessProbe.httpGet.port = 8080;
      wrong.spec.predictor.containers[0].livenessProbe.httpGet.port = "http";
      assert.deepStrictEqual(of(checkIsvc(wrong), "kserve-probe-ports-match"), [
        'spec.predictor.containers[0].readinessProbe.httpGet.port is 8080 but the container port is 8000: probe the port the server listens on (8000 or "http1"), or the pod never becomes Ready.',
        'spec.predictor.containers[0].livenessProbe.httpGet.port is "http" but the container port is 8000: probe the port the server listens on (8000 or "http1"), or the pod never becomes Ready.',
      ]);
    });

    it("checks tcpSocket and startup probes too; an omitted port is Knative's to fill, not a Deployment's (either name)", () => {
      for (const mode of STANDARD_NAMES) {
        const standard = withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), mode);
        standard.spec.predictor.containers[0].startupProbe = { tcpSocket: { port: 8001 } };
        delete standard.spec.predictor.containers[0].livenessProbe.httpGet.port;
        assert.deepStrictEqual(of(checkIsvc(standard), "kserve-probe-ports-match").map((m) => m.slice(0, m.indexOf(" is "))), [
          "spec.predictor.containers[0].livenessProbe.httpGet.port",
          "spec.predictor.containers[0].startupProbe.tcpSocket.port",
        ], mode);
      }
      for (const mode of KNATIVE_NAMES) {
        const knative = withMode(isvc(devSettings()), mode);
        delete knative.spec.predictor.containers[0].livenessProbe.httpGet.port;
        assert.deepStrictEqual(of(checkIsvc(knative), "kserve-probe-ports-match"), [], mode);
      }
    });
  });

  describe("kserve-no-knative-reserved-port", () => {
    function onPort(port: number, mode?: string): any {
      const manifest = isvc(devSettings());
      const container = manifest.spec.predictor.containers[0];
      container.ports[0].containerPort = port;
      container.readinessProbe.httpGet.port = port;
      container.livenessProbe.httpGet.port = port;
      return withMode(manifest, mode);
    }

    it("fails a reserved port in Knative mode, by either name (and with the mode unset: Knative is KServe's default)", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8012, mode)), "kserve-no-knative-reserved-port"), [
          "spec.predictor.containers[0].ports[0].containerPort is 8012, which Knative reserves (8008, 8012, 8013, 8022, 9090, 9091): serve on another port, e.g. 8000.",
        ], mode);
        assert.strictEqual(of(checkIsvc(onPort(9091, mode)), "kserve-no-knative-reserved-port").length, 1, mode);
      }
      assert.strictEqual(of(checkIsvc(onPort(9090)), "kserve-no-knative-reserved-port").length, 1);
    });

    it("passes an ordinary port, and a reserved number in Standard mode by either name (no Knative there)", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8080, mode)), "kserve-no-knative-reserved-port"), [], mode);
      }
      for (const mode of STANDARD_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8012, mode)), "kserve-no-knative-reserved-port"), [], mode);
      }
    });
  });

  describe("kserve-port-env-matches-mode", () => {
    const standard = (mode = "Standard") => withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), mode);
    const knative = (mode = "Knative") => withMode(isvc(devSettings()), mode);
    const portEnv = (manifest: any) => manifest.spec.predictor.containers[0].env.find((e: any) => e.name === "PORT");

    it("passes no PORT in Knative mode and PORT = the container port in Standard mode, by either name", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.strictEqual(portEnv(knative(mode)), undefined);
        assert.deepStrictEqual(of(checkIsvc(knative(mode)), "kserve-port-env-matches-mode"), [], mode);
      }
      for (const mode of STANDARD_NAMES) {
        assert.deepStrictEqual(portEnv(standard(mode)), { name: "PORT", value: "8000" });
        assert.deepStrictEqual(of(checkIsvc(standard(mode)), "kserve-port-env-matches-mode"), [], mode);
      }
    });

    it("fails PORT set in Knative mode, by either name", () => {
      for (const mode of KNATIVE_NAMES) {
        const manifest = knative(mode);
        manifest.spec.predictor.containers[0].env.push({ name: "PORT", value: "8000" });
        assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-port-env-matches-mode"), [
          "spec.predictor.containers[0].env[1] sets PORT: remove it; Knative injects PORT (the container port) and rejects a user-set one.",
        ], mode);
      }
    });

    it("fails PORT missing or different in Standard mode, by either name", () => {
      for (const mode of STANDARD_NAMES) {
        const missing = standard(mode);
        missing.spec.predictor.containers[0].env = missing.spec.predictor.containers[0].env.filter((e: any) => e.name !== "PORT");
        assert.match(of(checkIsvc(missing), "kserve-port-env-matches-mode")[0], /^spec\.predictor\.containers\[0\]\.env has no PORT: Standard mode does not inject it; add \{ name: PORT, value: "8000" \}/, mode);
        const different = standard(mode);
        portEnv(different).value = "8080";
        assert.deepStrictEqual(of(checkIsvc(different), "kserve-port-env-matches-mode"), [
          'spec.predictor.containers[0].env[1].value is "8080" but the container port is 8000: set PORT to "8000".',
        ], mode);
      }
    });
  });

  describe("kserve-probes-present", () => {
    it("passes readiness and liveness, fails either missing", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-probes-present"), []);
      const noLiveness = isvc(devSettings());
      delete noLiveness.spec.predictor.containers[0].livenessProbe;
      assert.deepStrictEqual(of(checkIsvc(noLiveness), "kserve-probes-present").map((m) => m.split(" ")[0]), ["spec.predictor.containers[0].livenessProbe"]);
    });
  });

  describe("kserve-resources-set", () => {
    it("passes requests and limits with limit ≥ request (quantities compared by value: 1 ≥ 500m, 1Gi ≥ 512Mi)", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].resources.limits.memory = "1Gi";
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), []);
    });

    it("fails a missing value, a limit under its request, and a non-quantity", () => {
      const manifest = isvc(devSettings());
      const resources = manifest.spec.predictor.containers[0].resources;
      delete resources.requests.cpu;
      resources.limits.memory = "200Mi"; // request 256Mi
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), [
        'spec.predictor.containers[0].resources.requests.cpu is missing: set it (e.g. "500m") so the scheduler reserves room and the container is bounded.',
        "spec.predictor.containers[0].resources.limits.memory (200Mi) is below the request (256Mi): raise the limit to at least the request.",
      ]);
      resources.requests.cpu = "500m";
      resources.limits.memory = "2GB";
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), [
        'spec.predictor.containers[0].resources.limits.memory "2GB" is not a Kubernetes quantity: write e.g. "512Mi".',
      ]);
    });
  });

  describe("kserve-image-pinned-by-digest", () => {
    const withImage = (image: string) => of(checkIsvc(isvc(devSettings(), image)), "kserve-image-pinned-by-digest");

    it("passes repository@sha256 and repository:tag@sha256", () => {
      assert.deepStrictEqual(withImage(DIGEST_IMAGE), []);
      assert.deepStrictEqual(withImage(DIGEST_IMAGE.replace("@", ":v1@")), []);
    });

    it("fails :latest, any other tag, and a bare repository", () => {
      assert.match(withImage(`${REGISTRY}/california-housing:latest`)[0], / uses the tag latest: deploy repository@sha256:<digest> \(Knative resolves tags/);
      assert.match(withImage(`${REGISTRY}/california-housing:v12`)[0], / uses the tag v12: /);
      assert.match(withImage(`${REGISTRY}/california-housing`)[0], / has no tag or digest \(so it means :latest\): /);
      assert.strictEqual(withImage(`${REGISTRY}:5000/california-housing`).length, 1, "a registry port is not a tag");
    });
  });

  describe("kserve-container-not-root", () => {
    it("passes the program's container security context, and runAsNonRoot set on the pod", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-container-not-root"), []);
      const podLevel = isvc(devSettings());
      podLevel.spec.predictor.securityContext = { runAsNonRoot: true };
      podLevel.spec.predictor.containers[0].securityContext = { allowPrivilegeEscalation: false };
      assert.deepStrictEqual(of(checkIsvc(podLevel), "kserve-container-not-root"), []);
    });

    it("fails root, privilege escalation and privileged", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].securityContext = { runAsUser: 0, privileged: true };
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-container-not-root").map((m) => m.slice(0, m.indexOf(":"))), [
        "spec.predictor.containers[0].securityContext.runAsUser is 0 (root)",
        "spec.predictor.containers[0].securityContext.allowPrivilegeEscalation is not false",
        "spec.predictor.containers[0].securityContext.privileged is true",
      ]);
    });
  });

  describe("ecr-scan-on-push-immutable-tags", () => {
    it("passes the repository the program's ModelImage registers (recorded under mocks)", async () => {
      const mocks = await useMocks();
      const image = new ModelImage("model", { repositoryName: "model-serving/dev/california-housing", context: path.join(fixtureProject(), "app"), port: 8000 });
      await valueOf(image.imageRef);
      assert.deepStrictEqual(evaluate(ECR_REPOSITORY_TYPE, mocks.one(ECR_REPOSITORY_TYPE).inputs), []);
    });

    it("fails a repository with the defaults (no scan, mutable tags)", () => {
      const violations = evaluate(ECR_REPOSITORY_TYPE, { name: "california-housing" });
      assert.deepStrictEqual(names(violations), ["ecr-scan-on-push-immutable-tags"]);
      assert.deepStrictEqual(violations.map((v) => v.message.split(" ")[0]), ["imageScanningConfiguration.scanOnPush", "imageTagMutability"]);
      assert.match(violations[1].message, /is "MUTABLE \(the default\)": set "IMMUTABLE"/);
    });
  });

  describe("pull-secret-dockerconfigjson-secret", () => {
    const settings = () => settingsWith({ "model-serving:pullSecret": { enabled: true } });
    const pullSecret = () => structuredClone(pullSecretManifest(settings(), dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD))) as any;

    it("passes the program's pull secret registered with data and stringData as secret outputs", () => {
      assert.deepStrictEqual(evaluate(SECRET_TYPE, pullSecret(), { additionalSecretOutputs: ["data", "stringData"] }), []);
    });

    it("fails the same secret when the engine was not told to keep its data secret", () => {
      assert.deepStrictEqual(of(evaluate(SECRET_TYPE, pullSecret()), "pull-secret-dockerconfigjson-secret"), [
        'stringData is not a Pulumi secret (the resource\'s additionalSecretOutputs does not name "stringData"): create the Secret with @pulumi/kubernetes ' +
          '(k8s.core.v1.Secret marks data and stringData secret) or add additionalSecretOutputs: ["stringData"], so the registry credentials are encrypted in the state.',
      ]);
    });

    it("fails docker credentials in an Opaque secret, and a dockerconfigjson secret without its key", () => {
      const opaque = { ...pullSecret(), type: "Opaque" };
      assert.match(of(evaluate(SECRET_TYPE, opaque, { additionalSecretOutputs: ["data", "stringData"] }), "pull-secret-dockerconfigjson-secret")[0], /^type is "Opaque": a pull secret must be type "kubernetes.io\/dockerconfigjson"/);
      const keyless = { ...pullSecret(), stringData: { config: "{}" } };
      assert.match(of(evaluate(SECRET_TYPE, keyless, { additionalSecretOutputs: ["data", "stringData"] }), "pull-secret-dockerconfigjson-secret")[0], /^data\[".dockerconfigjson"\] is missing/);
    });

    it("leaves other secrets alone", () => {
      assert.deepStrictEqual(evaluate(SECRET_TYPE, { type: "Opaque", metadata: { name: "db" }, stringData: { password: "x" } }), []);
    });

    describe("as a Pulumi program registers it (recorded under mocks)", () => {
      /** The Secret's inputs as the policy sees them (secrets unwrapped) and the options the engine forwards. */
      async function registered(create: (opts: pulumi.CustomResourceOptions) => void): Promise<{ props: any; opts: Partial<PolicyResourceOptions> }> {
        const mocks = await useMocks();
        const options: RecordedOptions[] = [];
        create({ transformations: [recordOptions(options)] });
        await settle();
        const inputs = mocks.one(SECRET_TYPE).inputs;
        const props = { ...inputs, stringData: unwrapSecret(inputs.stringData).value };
        return { props, opts: { additionalSecretOutputs: options[0].opts.additionalSecretOutputs ?? [] } };
      }
      /** A Secret registered by hand, not through the @pulumi/kubernetes class. */
      class HandRolledSecret extends pulumi.CustomResource {
        constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
          super(SECRET_TYPE, name, props, opts);
        }
      }
      const manifest = () => pullSecretManifest(settings(), pulumi.secret(dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD)));

      it("passes a k8s.core.v1.Secret: the class itself marks data and stringData secret", async () => {
        const { props, opts } = await registered((o) => new k8s.core.v1.Secret("pull", manifest() as k8s.core.v1.SecretArgs, o));
        assert.deepStrictEqual(opts.additionalSecretOutputs, ["data", "stringData"]);
        assert.deepStrictEqual(evaluate(SECRET_TYPE, props, opts), []);
      });

      it("fails a hand-rolled registration of the same type, even with the value wrapped in pulumi.secret", async () => {
        const { props, opts } = await registered((o) => new HandRolledSecret("pull", manifest(), o));
        assert.strictEqual(typeof props.stringData[".dockerconfigjson"], "string", "the policy sees the value in plaintext");
        assert.deepStrictEqual(names(evaluate(SECRET_TYPE, props, opts)), ["pull-secret-dockerconfigjson-secret"]);
      });
    });
  });

  describe("kserve-readiness-no-initial-delay (advisory)", () => {
    it("passes no delay and a few seconds, advises against more", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].readinessProbe.initialDelaySeconds = 5;
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-readiness-no-initial-delay"), []);
      manifest.spec.predictor.containers[0].readinessProbe.initialDelaySeconds = 6;
      const [advice] = checkIsvc(manifest).filter((v) => v.policy === "kserve-readiness-no-initial-delay");
      assert.strictEqual(advice.level, "advisory");
      assert.match(advice.message, /initialDelaySeconds is 6: every pod start .* use 0 /);
    });
  });

  describe("kserve-liveness-not-readiness-path (advisory)", () => {
    it("passes different paths, advises against the same one", () => {
      const manifest = isvc(devSettings());
      assert.notStrictEqual(manifest.spec.predictor.containers[0].livenessProbe.httpGet.path, manifest.spec.predictor.containers[0].readinessProbe.httpGet.path);
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-liveness-not-readiness-path"), []);
      manifest.spec.predictor.containers[0].livenessProbe.httpGet.path = "/health";
      assert.strictEqual(of(checkIsvc(manifest), "kserve-liveness-not-readiness-path").length, 1);
    });
  });

  describe("kserve-wait-for-ready (advisory)", () => {
    it("passes the program's InferenceService (its component watches the rollout), or another's with the annotation; advises otherwise", () => {
      const manifest = isvc(devSettings());
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-wait-for-ready"), []);
      assert.match(of(checkForeignIsvc(manifest), "kserve-wait-for-ready")[0], /^metadata\.annotations\["pulumi\.com\/waitFor"\] is missing: add "condition=Ready".*Ready stays True while a failed update crash-loops/);
      manifest.metadata.annotations["pulumi.com/waitFor"] = "condition=Ready";
      assert.deepStrictEqual(of(checkForeignIsvc(manifest), "kserve-wait-for-ready"), []);
      // A parent of another name is not the component.
      assert.strictEqual(of(checkIsvc(isvc(devSettings()), {}, PROGRAM_ISVC_URN.replace("model-serving:kserve:InferenceService$", "acme:kserve:Model$")), "kserve-wait-for-ready").length, 1);
    });
  });

  describe("kserve-memory-limit-minimum (advisory)", () => {
    const withLimit = (memory: string, config: object = {}) => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].resources.requests.memory = "64Mi";
      manifest.spec.predictor.containers[0].resources.limits.memory = memory;
      return of(checkIsvc(manifest, config), "kserve-memory-limit-minimum");
    };

    it("passes 256Mi and more, advises under it", () => {
      assert.deepStrictEqual(withLimit("256Mi"), []);
      assert.deepStrictEqual(withLimit("128Mi"), [
        "spec.predictor.containers[0].resources.limits.memory is 128Mi, under the 256Mi the model server needs: raise it to at least 256Mi, or the container is OOMKilled.",
      ]);
    });

    it("takes another server's minimum from the policy config", () => {
      assert.deepStrictEqual(withLimit("128Mi", { minMemoryLimit: "100Mi" }), []);
      assert.strictEqual(withLimit("512Mi", { minMemoryLimit: "1Gi" }).length, 1);
    });
  });

  describe("canaries (mandatory): probes like the stable's, a share within the limit", () => {
    const CANARY_IMAGE = DIGEST_IMAGE.replace(/[0-9a-f]{64}$/, "5".repeat(64));
    const withCanary = (config: Record<string, unknown> = {}) =>
      isvc(settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:replicas": { min: 2, max: 3 }, "model-serving:rollout": { canaryPercent: 20, stableImage: DIGEST_IMAGE }, ...config }), CANARY_IMAGE);

    it("the program's canary passes both", () => {
      const manifest = withCanary();
      assert.strictEqual(manifest.spec.canary.length, 1);
      assert.deepStrictEqual([...of(checkIsvc(manifest), "kserve-canary-probes"), ...of(checkIsvc(manifest), "kserve-canary-share-limit")], []);
    });

    it("a canary without probes is refused, naming its path", () => {
      const manifest = withCanary();
      delete manifest.spec.canary[0].predictor.containers[0].readinessProbe;
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-canary-probes"), [
        "spec.canary[0].predictor.containers[0].readinessProbe is missing: add an HTTP probe on the container port that succeeds once the model is loaded (e.g. /health).",
      ]);
    });

    it("a share above 50 % (or the configured limit) is refused, in either mode", () => {
      const standard = withCanary({ "model-serving:rollout": { canaryPercent: 60, stableImage: DIGEST_IMAGE }, "model-serving:replicas": { min: 3, max: 3 } });
      assert.match(of(checkIsvc(standard), "kserve-canary-share-limit")[0], /^spec\.canary\[0\]\.trafficPercent is 60, above the 50 % a canary may start with/);
      assert.deepStrictEqual(of(checkIsvc(standard, { maxCanaryPercent: 60 }), "kserve-canary-share-limit"), []);
      const knative = isvc(settingsWith({ "model-serving:rollout": { canaryPercent: 80, stableImage: DIGEST_IMAGE } }), CANARY_IMAGE);
      assert.match(of(checkIsvc(knative), "kserve-canary-share-limit")[0], /^spec\.predictor\.canaryTrafficPercent is 80, above the 50 %/);
    });
  });

  describe("kserve-autoscaling-fits-mode (mandatory)", () => {
    const withScaling = (mode: string, predictor: object, annotations: object = {}) => {
      const manifest = withMode(isvc(devSettings()), mode);
      Object.assign(manifest.spec.predictor, predictor);
      Object.assign(manifest.metadata.annotations, annotations);
      return of(checkIsvc(manifest), "kserve-autoscaling-fits-mode");
    };

    it("refuses concurrency or rps under Standard mode's HPA, by either mode name", () => {
      for (const mode of STANDARD_NAMES) {
        assert.deepStrictEqual(withScaling(mode, { scaleMetric: "rps" }), [
          'spec.predictor.scaleMetric is "rps", which needs Knative\'s pod autoscaler (deploymentMode Knative); Standard mode scales with an HPA on cpu or memory (this service is in Standard mode).',
        ]);
        assert.deepStrictEqual(withScaling(mode, { scaleMetric: "cpu", scaleTarget: 80 }), []);
      }
    });

    it("refuses cpu or memory under Knative's pod autoscaler, unless the service asks for Knative's HPA class", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.strictEqual(withScaling(mode, { scaleMetric: "memory" }).length, 1);
        assert.deepStrictEqual(withScaling(mode, { scaleMetric: "memory" }, { "autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev" }), []);
        assert.deepStrictEqual(withScaling(mode, { scaleMetric: "concurrency", scaleTarget: 500 }), []);
      }
    });

    it("refuses a utilisation target over 100 and scale to zero in Standard mode; waits for the mode when it is unset", () => {
      assert.deepStrictEqual(withScaling("Standard", { scaleMetric: "cpu", scaleTarget: 120 }), ["spec.predictor.scaleTarget is 120, which is a cpu utilisation percentage: use 1 to 100."]);
      assert.deepStrictEqual(withScaling("Standard", { minReplicas: 0 }), ["spec.predictor.minReplicas is 0: only Knative mode scales to zero; in Standard mode set it to at least 1."]);
      assert.deepStrictEqual(withScaling("Knative", { minReplicas: 0 }), []);
      const unset = withMode(isvc(devSettings()), undefined);
      unset.spec.predictor.scaleMetric = "rps";
      assert.deepStrictEqual(of(checkIsvc(unset), "kserve-autoscaling-fits-mode"), []);
    });
  });

  describe("kserve-deployment-mode-set (advisory)", () => {
    it("passes Knative and Standard and their legacy names; advises when missing or unknown, and then skips the PORT rule", () => {
      for (const [mode, settingsMode] of [...KNATIVE_NAMES.map((m) => [m, "Knative"]), ...STANDARD_NAMES.map((m) => [m, "Standard"])]) {
        const manifest = withMode(isvc(settingsWith({ "model-serving:deploymentMode": settingsMode })), mode);
        assert.deepStrictEqual(checkIsvc(manifest), [], mode);
      }
      const missing = withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), undefined);
      assert.deepStrictEqual(names(checkIsvc(missing)), ["kserve-deployment-mode-set"]);
      assert.deepStrictEqual(
        checkIsvc(missing)[0].message,
        'metadata.annotations["serving.kserve.io/deploymentMode"] is missing: set "Knative" or "Standard" ("Serverless" or "RawDeployment" for KServe before 0.16); ' +
          "installs default differently, and the PORT rule is not checked until it is set.",
      );
      for (const unknown of ["knative", "ModelMesh"]) {
        const manifest = withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), unknown);
        assert.deepStrictEqual(names(checkIsvc(manifest)), ["kserve-deployment-mode-set"], unknown);
        assert.match(checkIsvc(manifest)[0].message, new RegExp(`is "${unknown}", not a mode this pack knows: set "Knative" or "Standard"`));
      }
    });
  });
});

/** A module as @pulumi/pulumi itself loads it (gRPC and protobuf are its dependencies, not ours). */
function pulumiDependency(name: string): any {
  return require(require.resolve(name, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));
}

describe("policy pack kserve-guardrails, as the Pulumi engine runs it (run-policy-pack in policy/, over gRPC)", function () {
  this.timeout(60000);
  const grpc = pulumiDependency("@grpc/grpc-js");
  const { Struct } = pulumiDependency("google-protobuf/google/protobuf/struct_pb");
  const { Empty } = pulumiDependency("google-protobuf/google/protobuf/empty_pb");
  const { AnalyzerClient } = pulumiDependency("@pulumi/pulumi/proto/analyzer_grpc_pb");
  let pack: ChildProcess | undefined;
  let client: any;

  /** Starts the pack as `pulumi preview --policy-pack policy` does; it prints the port it serves on. */
  before(async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: path.join(ROOT, "policy") });
    pack = child;
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) {
          resolve(match[1]);
        }
      });
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stdout}${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    pack?.kill();
  });

  function rpc<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));
  }

  /** The engine's Analyze call: properties as a protobuf Struct, resource options alongside. */
  async function analyze(type: string, props: object, additionalSecretOutputs: string[] = [], urn = `urn:pulumi:dev::model-serving::${type}::resource`): Promise<{ policy: string; mandatory: boolean; message: string }[]> {
    const request = new AnalyzeRequest();
    request.setType(type);
    request.setUrn(urn);
    request.setName("resource");
    request.setProperties(Struct.fromJavaScript(props));
    const options = new AnalyzerResourceOptions();
    options.setAdditionalsecretoutputsList(additionalSecretOutputs);
    request.setOptions(options);
    const response: any = await rpc("analyze", request);
    // EnforcementLevel: 0 advisory, 1 mandatory.
    return response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), mandatory: d.getEnforcementlevel() === 1, message: d.getMessage() }));
  }

  it("loads from policy/ and names its policies", async () => {
    const info: any = await rpc("getAnalyzerInfo", new Empty());
    assert.strictEqual(info.getName(), "kserve-guardrails");
    assert.deepStrictEqual(info.getPoliciesList().map((p: any) => p.getName()), policies.map((p) => p.name));
  });

  it("refuses the lab's version 11 manifest and passes the program's dev manifest", async () => {
    const lab = await analyze(INFERENCE_SERVICE_TYPE, readFixture("lab-v11-inferenceservice.yaml"));
    assert.deepStrictEqual([...new Set(lab.filter((d) => d.mandatory).map((d) => d.policy))].sort(), ["kserve-container-not-root", "kserve-image-pinned-by-digest", "kserve-probes-present"]);
    assert.deepStrictEqual(await analyze(INFERENCE_SERVICE_TYPE, isvc(devSettings()), [], PROGRAM_ISVC_URN), []);
  });

  it("on a first preview (the image not built, its digest unknown) says the digest rule must wait for `pulumi up`", async () => {
    const diagnostics = await analyze(INFERENCE_SERVICE_TYPE, isvc(devSettings(), unknownValue), [], PROGRAM_ISVC_URN);
    assert.deepStrictEqual(diagnostics.map(({ policy, mandatory }) => ({ policy, mandatory })), [{ policy: "kserve-image-pinned-by-digest", mandatory: false }]);
    assert.match(diagnostics[0].message, /can't run policy 'kserve-image-pinned-by-digest' .* during preview: string value at \.spec\.predictor\.containers\.0\.image can't be known during preview/);
  });

  it("a value sent as a secret does not count (the policy gets it unwrapped): only additionalSecretOutputs does", async () => {
    // The engine's wire form of a secret value.
    const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
    const props = { ...structuredClone(pullSecretManifest(settingsWith(), "{}")), stringData: secret({ ".dockerconfigjson": dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD) }) };
    assert.deepStrictEqual((await analyze(SECRET_TYPE, props)).map(({ policy, mandatory }) => ({ policy, mandatory })), [{ policy: "pull-secret-dockerconfigjson-secret", mandatory: true }]);
    assert.deepStrictEqual(await analyze(SECRET_TYPE, props, ["data", "stringData"]), []);
  });
});
