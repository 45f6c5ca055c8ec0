// The rollout observation: one look at whether the current spec serves, per mode.
export * from "./types";
export { observeRollout } from "./observe";
export { revisionPods } from "./knative";
export { appliedAs } from "./kserveBehaviour";
