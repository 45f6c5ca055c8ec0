// Which KServe release a stack's cluster runs. The only thing that depends on it here is the name
// the `serving.kserve.io/deploymentMode` annotation must use (see deploymentMode.ts).

/** The release lab mode installs, and the one whose CRD the manifests are validated against (../shared/kserve). */
export const KSERVE_VERSION = "v0.20.0";

/** `0.20`, or `v0.20` / `v0.20.0` as KServe tags its releases. */
export const KSERVE_VERSION_PATTERN = /^(?:\d+\.\d+|v\d+\.\d+(?:\.\d+)?)$/;

export interface KServeRelease {
  readonly major: number;
  readonly minor: number;
  /** Only when written (`v0.20.0`). */
  readonly patch?: number;
}

/** A release from `MAJOR.MINOR` or `vMAJOR.MINOR[.PATCH]`; undefined for anything else. */
export function parseKServeVersion(text: string): KServeRelease | undefined {
  if (!KSERVE_VERSION_PATTERN.test(text)) {
    return undefined;
  }
  const [major, minor, patch] = text.replace(/^v/, "").split(".").map(Number);
  return { major, minor, ...(patch === undefined ? {} : { patch }) };
}

/** The lab's release as a stack would write it, `0.20`: the default of `kserveVersion`. */
export const DEFAULT_KSERVE_VERSION = KSERVE_VERSION.replace(/^v(\d+\.\d+).*$/, "$1");

/** Whether two releases can be the same one: equal major and minor, and patch where both give one. */
export function sameRelease(a: KServeRelease, b: KServeRelease): boolean {
  return a.major === b.major && a.minor === b.minor && (a.patch === undefined || b.patch === undefined || a.patch === b.patch);
}

/** Whether `release` is `since` or later (patches do not matter). */
export function atLeast(release: KServeRelease, since: { major: number; minor: number }): boolean {
  return release.major !== since.major ? release.major > since.major : release.minor >= since.minor;
}
