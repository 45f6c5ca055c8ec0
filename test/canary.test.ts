// Canary rollouts in config and manifests: which image is stable, which goes out as a canary,
// and the objects each mode gets (checked against the KServe v0.20 CRD).
import * as assert from "assert";
import { canaryReplicas, rolloutPlan } from "../core/canary";
import { CANARY_OF_LABEL, CANARY_PERCENT_ANNOTATION, canaryInferenceServiceManifest, inferenceServiceManifest } from "../core/manifests";
import { renderObjects } from "../core/render";
import { parseSettings, SettingsError } from "../core/config/settings";
import { PROJECT_DIR, settingsWith, validConfig } from "./helpers/config";
import { crdMissingReason, inferenceServiceErrors } from "./helpers/kserveSchema";

const REPO = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/team/model";
const STABLE = `${REPO}@sha256:${"1".repeat(64)}`;
const CANDIDATE = `${REPO}@sha256:${"2".repeat(64)}`;
const rollout = (extra: object = {}) => ({ "model-serving:rollout": { canaryPercent: 20, stableImage: STABLE }, "model-serving:replicas": { min: 2, max: 3 }, ...extra });
const standard = { "model-serving:deploymentMode": "Standard" };

function problems(overrides: Record<string, unknown>): string[] {
  try {
    parseSettings(validConfig(overrides), { stack: "test", projectDir: PROJECT_DIR });
    return [];
  } catch (e) {
    return (e as SettingsError).problems;
  }
}

describe("canary: config", () => {
  it("a canary share needs the stable digest, and the stable digest a share; each refusal names its key", () => {
    assert.deepStrictEqual(problems({ "model-serving:rollout": { canaryPercent: 20 } }).map((p) => p.split(": ")[0]), ["model-serving:rollout.canaryPercent"]);
    assert.match(problems({ "model-serving:rollout": { canaryPercent: 20 } })[0], /needs rollout\.stableImage, the digest that serves now/);
    assert.match(problems({ "model-serving:rollout": { stableImage: STABLE } })[0], /^model-serving:rollout\.stableImage: .* is used only with rollout\.canaryPercent/);
    assert.match(problems({ "model-serving:rollout": { canaryPercent: 120, stableImage: STABLE } })[0], /^model-serving:rollout\.canaryPercent: 120 must be a whole number from 0 to 100/);
    assert.match(problems({ "model-serving:rollout": { canaryPercent: 20, stableImage: `${REPO}:v1` } })[0], /^model-serving:rollout\.stableImage: .* must be pinned by digest/);
    assert.deepStrictEqual(problems(rollout()), []);
  });

  it("Standard mode: a canary needs at least one pod (ceil(min × percent / 100)); the stable keeps all of its own", () => {
    const standardRollout = (min: number, canaryPercent: number) =>
      problems({ ...standard, "model-serving:rollout": { canaryPercent, stableImage: STABLE }, "model-serving:replicas": { min, max: 10 } });
    assert.match(standardRollout(1, 0)[0], /^model-serving:rollout\.canaryPercent: 0 gives a Standard-mode canary no pods .*use at least 1/);
    assert.deepStrictEqual(standardRollout(1, 1), [], "one pod: ceil(1 × 1 / 100)");
    assert.deepStrictEqual(standardRollout(1, 20), []);
    assert.deepStrictEqual(standardRollout(5, 100), [], "a canary as large as the stable, beside it");
    assert.deepStrictEqual(problems({ "model-serving:rollout": { canaryPercent: 0, stableImage: STABLE } }), [], "Knative: a Revision with no traffic still has its pods");
    assert.deepStrictEqual([canaryReplicas(2, 20), canaryReplicas(5, 20), canaryReplicas(4, 50)], [1, 1, 2]);
  });

  it("Standard mode with rollouts on: the model name and namespace leave room for -canary in KServe's host label", () => {
    const long = { ...standard, "model-serving:modelName": "a".repeat(20), "model-serving:namespace": "b".repeat(26) };
    assert.deepStrictEqual(problems(long), []);
    assert.match(problems({ ...long, ...rollout() })[0], /^model-serving:modelName: .* makes the canary's host label <name>-canary-predictor-<namespace> longer than 63/);
    assert.deepStrictEqual(problems({ "model-serving:modelName": "a".repeat(20), "model-serving:namespace": "b".repeat(26), ...rollout() }), [], "Knative: the canary is a Revision");
  });

  it("plans a canary only for a candidate that is not the stable image", () => {
    assert.deepStrictEqual(rolloutPlan({}, CANDIDATE), { stableImage: CANDIDATE });
    assert.deepStrictEqual(rolloutPlan({ canaryPercent: 20, stableImage: STABLE }, STABLE), { stableImage: STABLE });
    assert.deepStrictEqual(rolloutPlan({ canaryPercent: 20, stableImage: STABLE }, CANDIDATE), { stableImage: STABLE, canary: { image: CANDIDATE, percent: 20 } });
  });
});

describe("canary: manifests", () => {
  it("Standard mode: the stable InferenceService keeps the stable image, unnamed, with no spec.canary (what KServe v0.20 admits for a model in the image)", () => {
    const isvc: any = inferenceServiceManifest(settingsWith({ ...standard, ...rollout(), "model-serving:autoscaling": { metric: "cpu", target: 70 } }), CANDIDATE);
    assert.strictEqual(isvc.spec.predictor.name, undefined);
    assert.strictEqual(isvc.spec.predictor.containers[0].image, STABLE);
    assert.deepStrictEqual([isvc.spec.predictor.minReplicas, isvc.spec.predictor.scaleMetric], [2, "cpu"]);
    assert.strictEqual(isvc.spec.canary, undefined);
    // Promoting changes only the stable's image: a rolling update of its Deployment.
    const promoted: any = inferenceServiceManifest(
      settingsWith({ ...standard, ...rollout({ "model-serving:rollout": { canaryPercent: 20, stableImage: CANDIDATE } }), "model-serving:autoscaling": { metric: "cpu", target: 70 } }),
      CANDIDATE,
    );
    assert.deepStrictEqual({ ...promoted.spec.predictor, containers: undefined }, { ...isvc.spec.predictor, containers: undefined });
    assert.strictEqual(promoted.spec.predictor.containers[0].image, CANDIDATE);
  });

  it("Standard mode: the canary is the InferenceService <name>-canary: the candidate, fixed replicas, marked with its model and share", () => {
    const s = settingsWith({ ...standard, ...rollout({ "model-serving:replicas": { min: 5, max: 8 } }), "model-serving:autoscaling": { metric: "cpu", target: 70 } });
    const canary: any = canaryInferenceServiceManifest(s, CANDIDATE);
    assert.strictEqual(canary.metadata.name, "california-housing-canary");
    assert.strictEqual(canary.metadata.namespace, s.namespace);
    assert.strictEqual(canary.metadata.labels[CANARY_OF_LABEL], "california-housing");
    assert.strictEqual(canary.metadata.annotations[CANARY_PERCENT_ANNOTATION], "20");
    assert.strictEqual(canary.metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
    assert.deepStrictEqual([canary.spec.predictor.minReplicas, canary.spec.predictor.maxReplicas], [1, 1]);
    assert.strictEqual(canary.spec.predictor.scaleMetric, undefined);
    assert.strictEqual(canary.spec.predictor.containers[0].image, CANDIDATE);
    const stable: any = inferenceServiceManifest(s, CANDIDATE);
    assert.deepStrictEqual({ ...canary.spec.predictor.containers[0], image: STABLE }, stable.spec.predictor.containers[0], "the canary's container is the stable's but for the image");
    assert.strictEqual(canaryInferenceServiceManifest(s, STABLE), undefined, "no canary once the candidate is the stable image");
    assert.strictEqual(canaryInferenceServiceManifest(settingsWith(standard), CANDIDATE), undefined, "no canary without rollout keys");
    assert.strictEqual(canaryInferenceServiceManifest(settingsWith(rollout()), CANDIDATE), undefined, "Knative: the canary is a Revision");
  });

  it("the offline render lists the canary InferenceService after the stable one", () => {
    const names = renderObjects(settingsWith({ ...standard, ...rollout(), "model-serving:image": CANDIDATE })).map((o) => `${o.kind}/${o.metadata.name}`);
    assert.deepStrictEqual(names.slice(-2), ["InferenceService/california-housing", "InferenceService/california-housing-canary"]);
  });

  it("without rollout keys the predictor is unnamed and alone", () => {
    const isvc: any = inferenceServiceManifest(settingsWith(standard), CANDIDATE);
    assert.strictEqual(isvc.spec.predictor.name, undefined);
    assert.strictEqual(isvc.spec.canary, undefined);
  });

  it("Knative mode: the candidate with canaryTrafficPercent; none once it is the stable image", () => {
    const canary: any = inferenceServiceManifest(settingsWith(rollout()), CANDIDATE);
    assert.strictEqual(canary.spec.predictor.canaryTrafficPercent, 20);
    assert.strictEqual(canary.spec.predictor.containers[0].image, CANDIDATE);
    assert.strictEqual(canary.spec.canary, undefined);
    const promoted: any = inferenceServiceManifest(settingsWith(rollout()), STABLE);
    assert.strictEqual(promoted.spec.predictor.canaryTrafficPercent, undefined);
  });

  it("every rollout manifest is valid against the KServe v0.20 CRD", function () {
    const reason = crdMissingReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    for (const mode of [standard, {}]) {
      assert.deepStrictEqual(inferenceServiceErrors(inferenceServiceManifest(settingsWith({ ...mode, ...rollout() }), CANDIDATE)), []);
    }
    assert.deepStrictEqual(inferenceServiceErrors(canaryInferenceServiceManifest(settingsWith({ ...standard, ...rollout() }), CANDIDATE)!), []);
  });
});
