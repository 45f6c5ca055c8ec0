// Which autoscaling metric works in which mode. Standard mode scales with a Kubernetes HPA
// (KServe's default class there), which reads cpu or memory utilisation; Knative mode scales with
// Knative's pod autoscaler (KPA), which reads concurrency or requests per second. KServe's own
// validation refuses the other pairings (validateAutoScalingCompExtension: HPA metrics in
// Standard mode, KPA metrics in Knative mode unless the Knative HPA class is chosen).
import { DeploymentMode } from "./deploymentMode";

export const SCALE_METRICS = ["cpu", "memory", "concurrency", "rps"] as const;
export type ScaleMetric = (typeof SCALE_METRICS)[number];

/** The Knative annotation that hands a Knative-mode service to the Kubernetes HPA instead of the KPA. */
export const KNATIVE_CLASS_ANNOTATION = "autoscaling.knative.dev/class";
export const KNATIVE_HPA_CLASS = "hpa.autoscaling.knative.dev";

const HPA_METRICS: readonly ScaleMetric[] = ["cpu", "memory"];

/** What KServe scales on when no metric is given. */
export function defaultScaleMetric(mode: DeploymentMode): ScaleMetric {
  return mode === "Knative" ? "concurrency" : "cpu";
}

/** Why `metric` cannot scale a service in `mode`, or undefined when it can. */
export function scaleMetricProblem(metric: ScaleMetric, mode: DeploymentMode, knativeClass?: string): string | undefined {
  const hpaMetric = HPA_METRICS.includes(metric);
  if (mode === "Standard" && !hpaMetric) {
    return `needs Knative's pod autoscaler (deploymentMode Knative); Standard mode scales with an HPA on cpu or memory`;
  }
  if (mode === "Knative" && hpaMetric && knativeClass !== KNATIVE_HPA_CLASS) {
    return `is an HPA metric; Knative mode's pod autoscaler scales on concurrency or rps: use one of those, or Standard mode`;
  }
  return undefined;
}

/** Why `target` makes no sense for `metric`, or undefined: cpu and memory targets are utilisation percentages. */
export function scaleTargetProblem(metric: ScaleMetric, target: number): string | undefined {
  return HPA_METRICS.includes(metric) && target > 100 ? `is a ${metric} utilisation percentage: use 1 to 100` : undefined;
}
