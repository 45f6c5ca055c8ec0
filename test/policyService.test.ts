// The service-wide policies: a deploy that waits, canaries, autoscaling that fits the mode, the mode set.
import * as assert from "assert";
import { settingsWith } from "./helpers/config";
import { canaryInferenceServiceManifest } from "../core/manifests";
import { checkForeignIsvc, checkIsvc, devSettings, mandatory, DIGEST_IMAGE, isvc, KNATIVE_NAMES, names, of, PROGRAM_ISVC_URN, STANDARD_NAMES, withMode } from "./helpers/policyHarness";

describe("policy pack kserve-guardrails", () => {
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

  describe("canaries (mandatory): probes like the stable's, a share within the limit", () => {
    const CANARY_IMAGE = DIGEST_IMAGE.replace(/[0-9a-f]{64}$/, "5".repeat(64));
    const standardRollout = (config: Record<string, unknown> = {}) =>
      settingsWith({ "model-serving:deploymentMode": "Standard", "model-serving:replicas": { min: 2, max: 3 }, "model-serving:rollout": { canaryPercent: 20, stableImage: DIGEST_IMAGE }, ...config });
    /** The program's Standard-mode canary: the InferenceService <name>-canary. */
    const programCanary = (config: Record<string, unknown> = {}) => structuredClone(canaryInferenceServiceManifest(standardRollout(config), CANARY_IMAGE)) as any;
    /** KServe's own spec.canary, as another program may write it (with a model, which KServe v0.20 requires). */
    const kserveCanary = (trafficPercent = 20) => {
      const manifest = isvc(standardRollout(), DIGEST_IMAGE);
      const container = { ...structuredClone(manifest.spec.predictor.containers[0]), image: CANARY_IMAGE };
      manifest.spec.canary = [{ trafficPercent, predictor: { name: "v2", containers: [container] } }];
      return manifest;
    };

    it("the program's canary InferenceService passes every mandatory rule, as the stable does", () => {
      const manifest = programCanary();
      assert.strictEqual(manifest.metadata.name, "california-housing-canary");
      assert.deepStrictEqual(mandatory(checkIsvc(manifest)), []);
    });

    it("KServe's spec.canary: a canary without probes is refused, naming its path", () => {
      const manifest = kserveCanary();
      assert.deepStrictEqual(mandatory(checkIsvc(manifest)), []);
      delete manifest.spec.canary[0].predictor.containers[0].readinessProbe;
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-canary-probes"), [
        "spec.canary[0].predictor.containers[0].readinessProbe is missing: add an HTTP probe on the container port that succeeds once the model is loaded (e.g. /health).",
      ]);
    });

    it("KServe's spec.canary: a canary's container is held to the stable's rules: digest, resources, non-root", () => {
      const manifest = kserveCanary();
      const canary = manifest.spec.canary[0].predictor;
      canary.containers[0].image = "registry.example.com/model:latest";
      delete canary.containers[0].resources.limits.memory;
      canary.containers[0].securityContext = { runAsUser: 0 };
      const found = checkIsvc(manifest);
      assert.deepStrictEqual(of(found, "kserve-image-pinned-by-digest"), [
        'spec.canary[0].predictor.containers[0].image "registry.example.com/model:latest" uses the tag latest: deploy repository@sha256:<digest> (Knative resolves tags with its own credentials, which ECR refuses; a digest is also the exact image tested).',
      ]);
      assert.match(of(found, "kserve-resources-set").join("\n"), /^spec\.canary\[0\]\.predictor\.containers\[0\]\.resources\.limits\.memory is missing/);
      assert.deepStrictEqual(of(found, "kserve-container-not-root"), [
        "spec.canary[0].predictor.containers[0].securityContext.runAsUser is 0 (root): run as a non-root user (e.g. runAsUser: 1000) with runAsNonRoot: true.",
        "spec.canary[0].predictor.containers[0].securityContext.allowPrivilegeEscalation is not false: set allowPrivilegeEscalation: false.",
      ]);
    });

    it("a share above 50 % (or the configured limit) is refused: the program's canary, KServe's spec.canary, Knative's split", () => {
      const standard = programCanary({ "model-serving:rollout": { canaryPercent: 60, stableImage: DIGEST_IMAGE } });
      assert.match(of(checkIsvc(standard), "kserve-canary-share-limit")[0], /^metadata\.annotations\["model-serving\/canary-percent"\] is 60, above the 50 % a canary may start with/);
      assert.deepStrictEqual(of(checkIsvc(standard, { maxCanaryPercent: 60 }), "kserve-canary-share-limit"), []);
      assert.match(of(checkIsvc(kserveCanary(60)), "kserve-canary-share-limit")[0], /^spec\.canary\[0\]\.trafficPercent is 60, above the 50 %/);
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
