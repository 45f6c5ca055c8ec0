// The service as a whole: canary share, a deploy that waits, scaling that fits the mode, the mode set.
import { ResourceValidationArgs } from "@pulumi/policy";
import { KNATIVE_CLASS_ANNOTATION, SCALE_METRICS, ScaleMetric, scaleMetricProblem, scaleTargetProblem } from "../core/autoscaling";
import { isStandard } from "../core/deploymentMode";
import { CANARY_PERCENT_ANNOTATION } from "../core/manifests";
import { DEPLOYMENT_MODE_ANNOTATION, InferenceServiceView, WAIT_FOR_ANNOTATION } from "./view";

export interface CanaryConfig {
  /** The largest canary share a rollout may start with. @default 50 */
  readonly maxCanaryPercent?: number;
}

export const DEFAULT_MAX_CANARY_PERCENT = 50;

/**
 * A canary's share stays at most the limit: this project's Standard-mode canary InferenceService
 * (its model-serving/canary-percent annotation), KServe's `spec.canary[].trafficPercent`, or
 * Knative's `canaryTrafficPercent`.
 */
export function checkCanaryShare(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  const limit = args.getConfig<CanaryConfig>().maxCanaryPercent ?? DEFAULT_MAX_CANARY_PERCENT;
  const shares: [string, unknown][] = [
    ...((isvc.spec.canary ?? []) as Record<string, any>[]).map((entry, i): [string, unknown] => [`spec.canary[${i}].trafficPercent`, entry?.trafficPercent]),
    ["spec.predictor.canaryTrafficPercent", isvc.predictor.canaryTrafficPercent],
    [`metadata.annotations["${CANARY_PERCENT_ANNOTATION}"]`, isvc.annotations[CANARY_PERCENT_ANNOTATION] === undefined ? undefined : Number(isvc.annotations[CANARY_PERCENT_ANNOTATION])],
  ];
  return shares
    .filter(([, share]) => typeof share === "number" && share > limit)
    .map(([where, share]) => `${where} is ${share}, above the ${limit} % a canary may start with: start smaller and promote once it is verified (or raise maxCanaryPercent in the pack's config).`);
}

/** This project's InferenceService component watches each rollout itself (components/rolloutWatch.ts). */
export const ROLLOUT_WATCHING_COMPONENT = "model-serving:kserve:InferenceService";

/** Whether a resource's URN (`urn:pulumi:<stack>::<project>::<parent type>$…$<type>::<name>`) has the component as an ancestor. */
export function isChildOf(urn: string, componentType: string): boolean {
  return (urn.split("::")[2] ?? "").split("$").slice(0, -1).includes(componentType);
}

export function checkWaitFor(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  if (isvc.annotations[WAIT_FOR_ANNOTATION] !== undefined || isChildOf(args.urn, ROLLOUT_WATCHING_COMPONENT)) {
    return [];
  }
  return [
    `metadata.annotations["${WAIT_FOR_ANNOTATION}"] is missing: add "condition=Ready" so \`pulumi up\` waits for the service and fails with its condition message ` +
      `instead of succeeding on a broken deploy (in Standard mode Ready stays True while a failed update crash-loops: deploy with this project's ` +
      `InferenceService component, which watches the new pods).`,
  ];
}

/** The scaling fields must fit the mode's autoscaler (components/autoscaling.ts, as settings apply it). */
export function checkAutoscalingFitsMode(isvc: InferenceServiceView): string[] {
  const mode = isvc.deploymentMode;
  if (mode === undefined) {
    return []; // the mode decides; checkDeploymentModeSet advises setting it
  }
  const { scaleMetric, scaleTarget, minReplicas } = isvc.predictor;
  const problems: string[] = [];
  if (SCALE_METRICS.includes(scaleMetric)) {
    const problem = scaleMetricProblem(scaleMetric as ScaleMetric, mode, isvc.annotations[KNATIVE_CLASS_ANNOTATION]);
    if (problem) problems.push(`spec.predictor.scaleMetric is "${scaleMetric}", which ${problem} (this service is in ${mode} mode).`);
    const targetProblem = typeof scaleTarget === "number" ? scaleTargetProblem(scaleMetric as ScaleMetric, scaleTarget) : undefined;
    if (targetProblem) problems.push(`spec.predictor.scaleTarget is ${scaleTarget}, which ${targetProblem}.`);
  }
  if (isStandard({ deploymentMode: mode }) && minReplicas === 0) {
    problems.push("spec.predictor.minReplicas is 0: only Knative mode scales to zero; in Standard mode set it to at least 1.");
  }
  return problems;
}

export function checkDeploymentModeSet(isvc: InferenceServiceView): string[] {
  if (isvc.deploymentMode) {
    return [];
  }
  const value = isvc.annotations[DEPLOYMENT_MODE_ANNOTATION];
  const what = value === undefined ? "is missing" : `is ${JSON.stringify(value)}, not a mode this pack knows`;
  return [
    `metadata.annotations["${DEPLOYMENT_MODE_ANNOTATION}"] ${what}: set "Knative" or "Standard" ("Serverless" or "RawDeployment" for KServe before 0.16); ` +
      "installs default differently, and the PORT rule is not checked until it is set.",
  ];
}
