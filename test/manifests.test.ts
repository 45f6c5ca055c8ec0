import * as assert from "assert";
import {
  CONTAINER_NAME,
  dockerConfigJson,
  inferenceServiceManifest,
  namespaceManifest,
  pullSecretManifest,
} from "../core/manifests";
import { Settings } from "../core/config/settings";
import { settingsWith } from "./helpers/config";
import { crdMissingReason, inferenceServiceErrors } from "./helpers/kserveSchema";

const IMAGE = `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/model-serving/test/california-housing@sha256:${"e".repeat(64)}`;

function container(s: Settings): any {
  const isvc: any = inferenceServiceManifest(s, IMAGE);
  assert.strictEqual(isvc.spec.predictor.containers.length, 1);
  return isvc.spec.predictor.containers[0];
}

/** Every port the container names: its ports and each probe's. */
function allPorts(c: any): number[] {
  return [
    ...c.ports.map((p: any) => p.containerPort),
    ...["readinessProbe", "livenessProbe", "startupProbe"].filter((p) => c[p]).map((p) => c[p].httpGet.port),
  ];
}

describe("manifests: one port drives everything", () => {
  for (const mode of ["Knative", "Standard", "Serverless", "RawDeployment"]) {
    it(`${mode}: the container port equals every probe port`, () => {
      const c = container(settingsWith({ "model-serving:deploymentMode": mode, "model-serving:port": 8000, "model-serving:probes": { startup: { enabled: true } } }));
      assert.deepStrictEqual(c.ports, [{ containerPort: 8000, protocol: "TCP", name: "http1" }]);
      assert.deepStrictEqual(allPorts(c), [8000, 8000, 8000, 8000]);
    });
  }

  it("changing the port moves the container port and every probe together", () => {
    const c = container(settingsWith({ "model-serving:port": 7070, "model-serving:deploymentMode": "Standard" }));
    assert.deepStrictEqual(allPorts(c), [7070, 7070, 7070, 7070]);
    assert.deepStrictEqual(c.env.find((e: any) => e.name === "PORT"), { name: "PORT", value: "7070" });
  });

  it("sets PORT only in Standard mode, by either name (Knative injects it and rejects a user-set one)", () => {
    const hasPort = (mode?: string) => container(settingsWith(mode ? { "model-serving:deploymentMode": mode } : {})).env.some((e: any) => e.name === "PORT");
    assert.deepStrictEqual([undefined, "Knative", "Serverless", "Standard", "RawDeployment"].map(hasPort), [false, false, false, true, true]);
  });

  it("passes the model name and user env to the server, sorted for stable diffs", () => {
    const c = container(settingsWith({ "model-serving:env": { WORKERS: "1", LOG_LEVEL: "info" } }));
    assert.deepStrictEqual(c.env, [
      { name: "MODEL_NAME", value: "california-housing" },
      { name: "LOG_LEVEL", value: "info" },
      { name: "WORKERS", value: "1" },
    ]);
  });
});

describe("manifests: the InferenceService", () => {
  it("always says its deployment mode, and carries no provider wait (the component watches the rollout)", () => {
    const annotations = (mode: string) => inferenceServiceManifest(settingsWith({ "model-serving:deploymentMode": mode, "model-serving:readyTimeoutSeconds": 420 }), IMAGE).metadata.annotations;
    assert.deepStrictEqual(annotations("Standard"), { "serving.kserve.io/deploymentMode": "Standard" });
    // Knative mode: Knative gives up on a failed Revision when the rollout watch does.
    assert.deepStrictEqual(annotations("Knative"), { "serving.kserve.io/deploymentMode": "Knative", "serving.knative.dev/progress-deadline": "420s" });
  });

  it("names the mode as the cluster's KServe does: Knative/Standard from 0.16, Serverless/RawDeployment before", () => {
    const annotation = (mode: string, kserveVersion?: string) =>
      inferenceServiceManifest(settingsWith({ "model-serving:deploymentMode": mode, ...(kserveVersion ? { "model-serving:kserveVersion": kserveVersion } : {}) }), IMAGE).metadata
        .annotations?.["serving.kserve.io/deploymentMode"];
    const table: [string, string | undefined, string][] = [];
    for (const version of [undefined, "0.20", "v0.20.0", "0.16", "v0.16.0", "v0.17.1", "1.0"]) {
      table.push(["Knative", version, "Knative"], ["Serverless", version, "Knative"], ["Standard", version, "Standard"], ["RawDeployment", version, "Standard"]);
    }
    for (const version of ["0.15", "v0.15.2", "0.13", "v0.13.1"]) {
      table.push(["Knative", version, "Serverless"], ["Serverless", version, "Serverless"], ["Standard", version, "RawDeployment"], ["RawDeployment", version, "RawDeployment"]);
    }
    assert.deepStrictEqual(
      table.map(([mode, version]) => [mode, version, annotation(mode, version)]),
      table,
    );
  });

  it("names the container kserve-container and uses the image by digest", () => {
    const c = container(settingsWith());
    assert.strictEqual(c.name, CONTAINER_NAME);
    assert.strictEqual(c.image, IMAGE);
  });

  it("probes: readiness on the model-loaded path with no delay, liveness on the process path", () => {
    const c = container(settingsWith());
    assert.deepStrictEqual(c.readinessProbe, { httpGet: { path: "/health", port: 8000 } });
    assert.deepStrictEqual(c.livenessProbe, { httpGet: { path: "/v2/health/live", port: 8000 }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    assert.strictEqual(c.startupProbe, undefined, "Knative mode needs Knative ≥ 1.15 for startup probes: off unless asked");
  });

  it("probes: Standard mode gets a timed readiness probe and a startup probe covering the model load", () => {
    const c = container(settingsWith({ "model-serving:deploymentMode": "Standard" }));
    assert.deepStrictEqual(c.readinessProbe, { httpGet: { path: "/health", port: 8000 }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 });
    assert.deepStrictEqual(c.startupProbe, { httpGet: { path: "/health", port: 8000 }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 });
  });

  it("Standard mode: a stopping pod sleeps shutdownDelaySeconds before SIGTERM (the kubelet's sleep action); 0 or Knative mode: no preStop", () => {
    assert.deepStrictEqual(container(settingsWith({ "model-serving:deploymentMode": "Standard" })).lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.deepStrictEqual(container(settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:shutdownDelaySeconds": 12 })).lifecycle, { preStop: { sleep: { seconds: 12 } } });
    assert.strictEqual(container(settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:shutdownDelaySeconds": 0 })).lifecycle, undefined);
    assert.strictEqual(container(settingsWith()).lifecycle, undefined, "Knative's queue-proxy drains the pod");
  });

  it("an explicit initial delay is kept where the user asks for it", () => {
    const c = container(settingsWith({ "model-serving:probes": { liveness: { initialDelaySeconds: 7 } } }));
    assert.strictEqual(c.livenessProbe.initialDelaySeconds, 7);
  });

  it("resources: the validated requests and limits", () => {
    const c = container(settingsWith({ "model-serving:resources": { requests: { cpu: "250m", memory: "300Mi" }, limits: { cpu: 2, memory: "1Gi" } } }));
    assert.deepStrictEqual(c.resources, { requests: { cpu: "250m", memory: "300Mi" }, limits: { cpu: "2", memory: "1Gi" } });
  });

  it("security context: non-root, no escalation, no capabilities, RuntimeDefault seccomp, on the container only", () => {
    const s = settingsWith();
    const isvc: any = inferenceServiceManifest(s, IMAGE);
    assert.deepStrictEqual(container(s).securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.strictEqual(isvc.spec.predictor.securityContext, undefined, "pod-level securityContext is behind a Knative feature flag");
  });

  it("replicas and pull secret", () => {
    const isvc: any = inferenceServiceManifest(settingsWith({ "model-serving:replicas": { min: 0, max: 4 }, "model-serving:pullSecret": { enabled: true } }), IMAGE);
    assert.strictEqual(isvc.spec.predictor.minReplicas, 0);
    assert.strictEqual(isvc.spec.predictor.maxReplicas, 4);
    assert.deepStrictEqual(isvc.spec.predictor.imagePullSecrets, [{ name: "california-housing-ecr-pull" }]);
    const without: any = inferenceServiceManifest(settingsWith(), IMAGE);
    assert.strictEqual(without.spec.predictor.imagePullSecrets, undefined);
  });
});

describe("manifests: namespace and pull secret", () => {
  it("a labelled namespace", () => {
    const ns = namespaceManifest(settingsWith({ "model-serving:namespace": "team-a" }));
    assert.strictEqual(ns.metadata.name, "team-a");
    assert.strictEqual(ns.metadata.labels?.["app.kubernetes.io/managed-by"], "pulumi");
  });

  it("a dockerconfigjson secret a kubelet can read", () => {
    const config = dockerConfigJson("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com", "AWS", "token");
    const parsed = JSON.parse(config);
    const entry = parsed.auths["123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"];
    assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), "AWS:token");
    const secret: any = pullSecretManifest(settingsWith(), config);
    assert.strictEqual(secret.type, "kubernetes.io/dockerconfigjson");
    assert.strictEqual(secret.metadata.namespace, "model-serving");
    assert.strictEqual(secret.stringData[".dockerconfigjson"], config);
  });
});

describe("manifests: valid against the real KServe CRD (unknown fields rejected)", function () {
  before(function () {
    const reason = crdMissingReason();
    if (reason) {
      console.log(`      ${reason}`);
      this.skip();
    }
  });

  const variants: Record<string, Record<string, unknown>> = {
    "Knative defaults": {},
    "Standard with startup probe": { "model-serving:deploymentMode": "Standard" },
    "Standard, HPA on cpu at 70 %": { "model-serving:deploymentMode": "Standard", "model-serving:autoscaling": { metric: "cpu", target: 70 } },
    "Knative, KPA on rps": { "model-serving:autoscaling": { metric: "rps", target: 200 } },
    "RawDeployment alias for KServe 0.13 (legacy annotation)": { "model-serving:deploymentMode": "RawDeployment", "model-serving:kserveVersion": "0.13" },
    "pull secret, env, custom probes": {
      "model-serving:pullSecret": { enabled: true },
      "model-serving:env": { LOG_LEVEL: "debug" },
      "model-serving:probes": { readiness: { periodSeconds: 3, timeoutSeconds: 1 }, startup: { enabled: true } },
    },
  };
  for (const [name, overrides] of Object.entries(variants)) {
    it(name, () => {
      assert.deepStrictEqual(inferenceServiceErrors(inferenceServiceManifest(settingsWith(overrides), IMAGE)), []);
    });
  }

  it("the validator itself rejects a misspelt field and a wrong type", () => {
    const isvc: any = inferenceServiceManifest(settingsWith(), IMAGE);
    isvc.spec.predictor.containers[0].readinessProbe.httpGet.prot = 8000;
    isvc.spec.predictor.minReplicas = "one";
    const errors = inferenceServiceErrors(isvc);
    assert.ok(errors.some((e) => e.includes("prot")), errors.join("\n"));
    assert.ok(errors.some((e) => e.includes("minReplicas")), errors.join("\n"));
  });
});

describe("manifests: autoscaling", () => {
  it("writes scaleMetric and scaleTarget only when set", () => {
    const set: any = inferenceServiceManifest(settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:autoscaling": { metric: "memory", target: 80 } }), IMAGE);
    assert.deepStrictEqual([set.spec.predictor.scaleMetric, set.spec.predictor.scaleTarget], ["memory", 80]);
    const unset: any = inferenceServiceManifest(settingsWith(), IMAGE);
    assert.ok(!("scaleMetric" in unset.spec.predictor) && !("scaleTarget" in unset.spec.predictor));
  });
});
