// Canary rollouts: which image is stable, which is the canary, and what KServe calls each.
// The stable digest is explicit config (`rollout.stableImage`), so a fresh clone knows it; the
// candidate is what this update deploys (the build, or `image`). Standard mode names each
// predictor after its digest, so promoting (stable := candidate) renames the predictor to the
// canary's name and KServe keeps the canary's Deployment and pods (seen on KServe v0.20).

/** A predictor name for an image: `v-` and the first 10 hex digits of its digest (a placeholder in an offline render). */
export function predictorNameOf(image: string): string {
  const digest = /@sha256:([a-f0-9]{64})$/.exec(image);
  return `v-${digest ? digest[1].slice(0, 10) : "<digest>"}`;
}

/** The length `-<predictor name>` adds to KServe's derived names (Deployment, Service, host label). */
export const PREDICTOR_NAME_LENGTH = "-v-".length + 10;

/**
 * The replicas KServe gives a Standard-mode canary: ceil(min × percent / 100) of the stable's
 * minimum replicas (KServe v0.20 `trafficPercent`: a replica count, not a traffic split).
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
  /** Predictors are named after their digests (rollouts on); unnamed otherwise, as before. */
  readonly named: boolean;
}

export function rolloutPlan(rollout: RolloutSettings, candidate: string): RolloutPlan {
  if (rollout.canaryPercent === undefined || rollout.stableImage === undefined) {
    return { stableImage: candidate, named: false };
  }
  if (rollout.stableImage === candidate) {
    return { stableImage: candidate, named: true };
  }
  return { stableImage: rollout.stableImage, canary: { image: candidate, percent: rollout.canaryPercent }, named: true };
}
