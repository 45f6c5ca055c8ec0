// promote --analyze's measurement: find a Ready pod of the stable and of the canary, send both the
// same load, and judge the canary against the stable (core/analysis.ts).
import { AnalysisSettings, Analysis, judge } from "../core/analysis";
import { normalizeDeploymentMode } from "../core/deploymentMode";
import { KubeApi } from "./kubeApi";
import { compareLoad } from "./loadComparison";
import { observeRollout, revisionPods, RolloutTarget } from "./rollout";
import { condition, Pod } from "./snapshot";

export interface CanaryAnalysis extends Analysis {
  readonly stablePod?: string;
  readonly canaryPod?: string;
}

const isReady = (pod: Pod) => condition(pod.status?.conditions, "Ready")?.status === "True";

/** The stable's pods: Standard mode observes them beside the canary; Knative mode's are the last rolled-out Revision's. */
async function stablePods(api: KubeApi, target: RolloutTarget, observed: Awaited<ReturnType<typeof observeRollout>>): Promise<Pod[]> {
  if (normalizeDeploymentMode(target.mode) !== "Knative") {
    return observed.pods;
  }
  const revision = observed.service?.status?.components?.predictor?.latestRolledoutRevision;
  return revision ? revisionPods(api, target, revision) : [];
}

const empty = { requests: 0, ok: 0, errors: 0, errorRatePercent: 0 };

/** Measures and judges; a canary with no Ready pod is rolled back, a stable with none gives no baseline. */
export async function analyzeCanary(api: KubeApi, target: RolloutTarget, settings: AnalysisSettings, log: (line: string) => void): Promise<CanaryAnalysis> {
  const observed = await observeRollout(api, target);
  const canary = observed.canary?.pods.find(isReady);
  const stable = (await stablePods(api, target, observed)).find(isReady);
  if (!canary) {
    return { verdict: "rollback", reasons: [`the canary has no Ready pod (${observed.progress})`], stable: empty, canary: empty };
  }
  if (!stable) {
    return { verdict: "inconclusive", reasons: [`the stable has no Ready pod to compare with (${observed.progress})`], stable: empty, canary: empty };
  }
  log(`analyze: ${settings.requests} POST /predict to each of pod ${stable.metadata.name} (stable) and pod ${canary.metadata.name} (canary), alternately`);
  const load = await compareLoad(api, target.namespace, stable, canary, settings.requests);
  return { ...judge(load.stable, load.canary, settings), stablePod: load.stablePod, canaryPod: load.canaryPod };
}

/** The figures as report lines. */
export function analysisLines(a: CanaryAnalysis): string[] {
  const side = (name: string, f: Analysis["stable"]) =>
    `  ${name.padEnd(7)} ${f.ok}/${f.requests} ok, errors ${f.errorRatePercent} %, p50 ${f.p50Ms ?? "-"} ms, p99 ${f.p99Ms ?? "-"} ms`;
  return [`analysis: ${a.verdict}`, side("stable", a.stable), side("canary", a.canary), ...a.reasons.map((r) => `  - ${r}`)];
}
