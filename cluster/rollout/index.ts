// The rollout observation: one look at whether the current spec serves, per mode.
export * from "./types";
export { observeRollout, isKnativeMode } from "./observe";
export { describeConditions } from "./describe";
export { appliedAs } from "./kserveBehaviour";
export { predictorDeploymentName } from "../../core/names";
