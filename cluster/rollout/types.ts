// What a rollout must reach, and what one look at it found.
import { Target } from "../collect";
import { InferenceService, Pod } from "../snapshot";

/** What the rollout must reach. */
export interface RolloutTarget extends Target {
  /** `Knative`/`Serverless` or `Standard`/`RawDeployment`. */
  readonly mode: string;
  /** The InferenceService generation `pulumi up` applied; unset: whatever is current. */
  readonly generation?: number;
  /** The image the applied spec runs (`repo@sha256:…`), the stable one with a canary; unset: not checked. */
  readonly image?: string;
  /** The canary's image, when the applied spec has one. */
  readonly canaryImage?: string;
}

export interface RolloutObservation {
  readonly done: boolean;
  /** What the rollout is waiting for, or what serves once done. */
  readonly progress: string;
  /** The revision of the current spec: a ReplicaSet (Standard) or a Knative Revision, described. */
  readonly revision?: string;
  /** Knative mode: that Revision's name, once it is known to carry the applied spec. */
  readonly revisionName?: string;
  /** The current revision's pods (none of an older spec's). */
  readonly pods: Pod[];
  readonly service: InferenceService | null;
  /** The Deployment gave up (Standard mode: ProgressDeadlineExceeded). */
  readonly stalled?: string;
  /** The canary, when the spec has one: its revision and pods (Knative: the latest Revision; Standard: `<name>-canary`'s, with that InferenceService). */
  readonly canary?: { readonly revision?: string; readonly revisionName?: string; readonly pods: Pod[]; readonly done: boolean; readonly service?: InferenceService | null };
}

/** A look that is still waiting, with no pods of the current spec yet. */
export function waiting(service: InferenceService | null, progress: string, rest: Partial<RolloutObservation> = {}): RolloutObservation {
  return { done: false, progress, pods: [], service, ...rest };
}
