// KServe's two deployment modes and their names. KServe 0.16 renamed them (kserve/kserve#4608,
// "Refactor RawDeployment to Standard and Serverless to KNative"; v0.15.2 still refuses
// "Standard", kserve/kserve#4711): `Knative` was `Serverless`, `Standard` was `RawDeployment`.
// Later releases keep the old names as deprecated aliases and normalise them
// (pkg/constants/constants.go: LegacyServerless, LegacyRawDeployment, ParseDeploymentMode).
import { atLeast, parseKServeVersion } from "./kserveRelease";

/** Knative: a Knative Service (revisions, scale to zero). Standard: a plain Deployment and Service. */
export const DEPLOYMENT_MODES = ["Knative", "Standard"] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

/** The names of the modes before KServe 0.16; later releases still accept them. */
export const LEGACY_MODE_NAMES: Readonly<Record<DeploymentMode, string>> = { Knative: "Serverless", Standard: "RawDeployment" };

/** Every name a stack may write: the current two, then their legacy aliases. */
export const DEPLOYMENT_MODE_NAMES = ["Knative", "Standard", "Serverless", "RawDeployment"] as const;

/** The first release that knows the names Knative and Standard (kserve/kserve#4608). */
export const CURRENT_MODE_NAMES_SINCE = { major: 0, minor: 16 } as const;

/** The mode a name means, legacy aliases included (case-sensitive, as KServe reads it); undefined for anything else. */
export function normalizeDeploymentMode(name: unknown): DeploymentMode | undefined {
  return DEPLOYMENT_MODES.find((mode) => name === mode || name === LEGACY_MODE_NAMES[mode]);
}

/** Knative mode. Anything with an unset mode (a policy's view of a bare manifest) is not. */
export function isKnative(subject: { readonly deploymentMode?: DeploymentMode }): boolean {
  return subject.deploymentMode === "Knative";
}

/** Standard mode (a plain Deployment). */
export function isStandard(subject: { readonly deploymentMode?: DeploymentMode }): boolean {
  return subject.deploymentMode === "Standard";
}

/**
 * The `serving.kserve.io/deploymentMode` value a cluster running `kserveVersion` understands.
 * An older release ignores a name it does not know and falls back to its installed default; a
 * newer one records the current name in `status.deploymentMode` and its webhook compares the
 * annotation with it as written, so a legacy name there fails every later update
 * (kserve/kserve#5885). Each release therefore gets the names it was built with.
 */
export function deploymentModeAnnotation(mode: DeploymentMode, kserveVersion: string): string {
  const release = parseKServeVersion(kserveVersion);
  // Settings have validated the version; an unreadable one gets the current names.
  return release === undefined || atLeast(release, CURRENT_MODE_NAMES_SINCE) ? mode : LEGACY_MODE_NAMES[mode];
}
