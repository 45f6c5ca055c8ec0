// Canary rollouts: which image is stable, which is the canary, and where each runs.
// The stable digest is explicit config (`rollout.stableImage`), so a fresh clone knows it; the
// candidate is what this update deploys (the build, or `image`). Standard mode runs the canary as
// an InferenceService of its own, `<name>-canary`: KServe v0.20's `spec.canary` needs a stable
// predictor with a storage URI, which a model baked into the server image does not have, and
// renaming a predictor without a model change is refused (inference_service_validation.go).
// Knative mode uses KServe's `canaryTrafficPercent`, a traffic split between two Revisions.

/** The suffix of the canary InferenceService's name in Standard mode. */
export const CANARY_SUFFIX = "-canary";

/** The Standard-mode canary InferenceService of a model. */
export function canaryServiceName(modelName: string): string {
  return `${modelName}${CANARY_SUFFIX}`;
}

/**
 * The replicas a Standard-mode canary runs: ceil(min × percent / 100) of the stable's minimum
 * (the formula KServe v0.20 uses for `spec.canary[].trafficPercent`). The stable keeps all of its
 * own; the canary takes none of the stable Service's requests (it is tested by verify --canary
 * and promote --analyze).
 */
export function canaryReplicas(minReplicas: number, percent: number): number {
  return Math.ceil((minReplicas * percent) / 100);
}

export interface RolloutSettings {
  /** The canary's share (0–100); unset: no canaries, the candidate replaces the stable. */
  readonly canaryPercent?: number;
  /** The digest that serves now; required with canaryPercent. */
  readonly stableImage?: string;
}

/** The images an update deploys: the stable one, and the candidate as a canary when it differs. */
export interface RolloutPlan {
  readonly stableImage: string;
  /** Set when the candidate goes out as a canary. */
  readonly canary?: { readonly image: string; readonly percent: number };
}

export function rolloutPlan(rollout: RolloutSettings, candidate: string): RolloutPlan {
  if (rollout.canaryPercent === undefined || rollout.stableImage === undefined || rollout.stableImage === candidate) {
    return { stableImage: candidate };
  }
  return { stableImage: rollout.stableImage, canary: { image: candidate, percent: rollout.canaryPercent } };
}
