// What a diagnosis says: one cause per finding, the snapshot's own words as evidence, and the
// config key to change.

/** Most likely first when several apply: earlier causes explain the later ones' symptoms. */
export const CAUSES = [
  "reconcile-failed",
  "tag-resolution",
  "image-pull-auth",
  "image-not-found",
  "unschedulable",
  "exec-format",
  "oom-killed",
  "port-mismatch",
  "crash-loop",
  "probe-failing",
  // Last: Knative's verdict on a Revision; the causes above name why, when its pods still show it.
  "revision-failed",
] as const;

export type CauseId = (typeof CAUSES)[number];

export interface Finding {
  readonly cause: CauseId;
  /** Quoted from the snapshot: a condition or event message, a container state, a log line. */
  readonly evidence: string;
  /** What to change, naming the config key and its current value where one applies. */
  readonly fix: string;
  /**
   * false when a normal, slow start could show the same evidence (a server still loading refuses
   * connections); a rollout watch then waits for the probes' own budget instead of failing at once.
   */
  readonly conclusive?: boolean;
  /** The Knative Revision the evidence is about, when it names one: a rollout acts on it only for its own Revision. */
  readonly revision?: string;
}

/**
 * Config facts the snapshot cannot show (the deployed objects show the rest). Optional: a saved
 * snapshot diagnosed without a stack still names the keys.
 */
export interface ConfigFacts {
  readonly stack?: string;
  readonly buildPlatform?: string;
  /** Set when the stack deploys a given image rather than building one. */
  readonly image?: string;
  readonly nodeRoleAccess?: { readonly enabled: boolean; readonly roleNames: readonly string[]; readonly nodeGroups: readonly string[] };
  readonly pullSecretEnabled?: boolean;
  readonly env?: Readonly<Record<string, string>>;
}
