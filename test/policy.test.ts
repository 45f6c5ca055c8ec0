// The kserve-guardrails pack as a whole, called directly (`new PolicyPack` would start a server): its
// policies, the lab's version 11 and 12 manifests and the program's own dev manifest.
import * as assert from "assert";
import { policies } from "../policy/policies";
import { settingsWith } from "./helpers/config";
import { checkForeignIsvc, checkIsvc, devSettings, evaluate, isvc, mandatory, names, of, readFixture, STANDARD_NAMES } from "./helpers/policyHarness";

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
});
