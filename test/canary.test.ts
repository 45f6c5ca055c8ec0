// Canary rollouts in config and manifests: which image is stable, which goes out as a canary,
// and the spec each mode gets (checked against the KServe v0.20 CRD).
import * as assert from "assert";
import { predictorNameOf, rolloutPlan } from "../core/canary";
import { inferenceServiceManifest } from "../core/manifests";
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

  it("Standard mode: the stable predictor keeps at least one pod beside the canary (KServe moves ceil(min × percent / 100) to it)", () => {
    const standardRollout = (min: number, canaryPercent: number) =>
      problems({ ...standard, "model-serving:rollout": { canaryPercent, stableImage: STABLE }, "model-serving:replicas": { min, max: 10 } });
    assert.match(standardRollout(1, 20)[0], /^model-serving:replicas\.min: 1 leaves the stable predictor no pods beside a 20 % canary .*raise it to at least 2/);
    assert.deepStrictEqual(standardRollout(2, 20), []);
    assert.match(standardRollout(2, 60)[0], /raise it to at least 3/);
    assert.deepStrictEqual(standardRollout(1, 0), [], "a dark launch takes no replica");
    assert.match(standardRollout(5, 100)[0], /^model-serving:rollout\.canaryPercent: 100 leaves the stable predictor no pods/);
    assert.deepStrictEqual(problems({ "model-serving:rollout": { canaryPercent: 50, stableImage: STABLE } }), [], "Knative splits traffic, not replicas");
  });

  it("with rollouts on, the model name and namespace leave room for a predictor name in KServe's host label", () => {
    const long = { "model-serving:modelName": "a".repeat(20), "model-serving:namespace": "b".repeat(25) };
    assert.deepStrictEqual(problems(long), []);
    assert.match(problems({ ...long, ...rollout() })[0], /^model-serving:modelName: .* a canary's predictor name/);
  });

  it("plans a canary only for a candidate that is not the stable image", () => {
    assert.deepStrictEqual(rolloutPlan({}, CANDIDATE), { stableImage: CANDIDATE, named: false });
    assert.deepStrictEqual(rolloutPlan({ canaryPercent: 20, stableImage: STABLE }, STABLE), { stableImage: STABLE, named: true });
    assert.deepStrictEqual(rolloutPlan({ canaryPercent: 20, stableImage: STABLE }, CANDIDATE), { stableImage: STABLE, canary: { image: CANDIDATE, percent: 20 }, named: true });
    assert.strictEqual(predictorNameOf(CANDIDATE), "v-2222222222");
  });
});

describe("canary: manifests", () => {
  it("Standard mode: the stable predictor named after its digest, the candidate in spec.canary with its share and no replica or scaling fields", () => {
    const isvc: any = inferenceServiceManifest(settingsWith({ ...standard, ...rollout(), "model-serving:autoscaling": { metric: "cpu", target: 70 } }), CANDIDATE);
    assert.strictEqual(isvc.spec.predictor.name, "v-1111111111");
    assert.strictEqual(isvc.spec.predictor.containers[0].image, STABLE);
    assert.deepStrictEqual([isvc.spec.predictor.minReplicas, isvc.spec.predictor.scaleMetric], [2, "cpu"]);
    assert.strictEqual(isvc.spec.canary.length, 1);
    const canary = isvc.spec.canary[0];
    assert.strictEqual(canary.trafficPercent, 20);
    assert.strictEqual(canary.predictor.name, "v-2222222222");
    assert.strictEqual(canary.predictor.containers[0].image, CANDIDATE);
    assert.deepStrictEqual(Object.keys(canary.predictor).sort(), ["containers", "name"]);
    // Promotion keeps the canary's pods: the promoted predictor's container is the canary's.
    const promoted: any = inferenceServiceManifest(settingsWith({ ...standard, ...rollout({ "model-serving:rollout": { canaryPercent: 20, stableImage: CANDIDATE } }) }), CANDIDATE);
    assert.deepStrictEqual(promoted.spec.predictor.containers, canary.predictor.containers);
    assert.strictEqual(promoted.spec.predictor.name, canary.predictor.name);
    assert.strictEqual(promoted.spec.canary, undefined);
  });

  it("without rollout keys the predictor is unnamed, as before (no rename on upgrade)", () => {
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

  it("both modes' canary specs are valid against the KServe v0.20 CRD", function () {
    const reason = crdMissingReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    for (const mode of [standard, {}]) {
      assert.deepStrictEqual(inferenceServiceErrors(inferenceServiceManifest(settingsWith({ ...mode, ...rollout() }), CANDIDATE)), []);
    }
  });
});
