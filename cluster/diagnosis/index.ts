// diagnose(snapshot): a pure function from what the cluster showed to why it is not serving.
import { forPods, Snapshot } from "../snapshot";
import { imageNotFound, pullAuth, tagResolution } from "./imageRules";
import { portMismatch, probeFailing } from "./probeRules";
import { crashLoop, execFormat, oomKilled } from "./runtimeRules";
import { unschedulable } from "./schedulingRules";
import { CAUSES, CauseId, ConfigFacts, Finding } from "./types";

export * from "./types";

const RULES: Record<CauseId, (s: Snapshot, f: ConfigFacts) => Finding[]> = {
  "tag-resolution": tagResolution,
  "image-pull-auth": pullAuth,
  "image-not-found": imageNotFound,
  unschedulable,
  "exec-format": execFormat,
  "oom-killed": oomKilled,
  "port-mismatch": portMismatch,
  "crash-loop": crashLoop,
  "probe-failing": probeFailing,
};

/** Findings, most likely first; none for a healthy service. */
export function diagnose(snapshot: Snapshot, facts: ConfigFacts = {}): Finding[] {
  const findings = CAUSES.flatMap((cause) => RULES[cause](snapshot, facts));
  // A crash loop with a named reason (memory, CPU architecture, port) is that reason.
  const named = findings.some((f) => f.cause === "oom-killed" || f.cause === "exec-format");
  return findings.filter((f) => !(named && f.cause === "crash-loop"));
}

/** One predictor's findings: the stable one, or a canary (which has pods of its own). */
export interface PredictorFindings {
  readonly predictor: string;
  readonly canary: boolean;
  readonly findings: Finding[];
}

/**
 * With a Standard-mode canary (`spec.canary`), the canary's pods (label
 * `app=isvc.<name>-<canary name>-predictor`) are diagnosed apart from the stable's, so a failing
 * canary is named as the canary's and the stable's health is reported on its own.
 */
export function diagnoseByPredictor(snapshot: Snapshot, facts: ConfigFacts = {}): PredictorFindings[] {
  const service = snapshot.inferenceService;
  const entry = service?.spec?.canary?.[0];
  if (!service || !entry?.predictor?.name) {
    return [{ predictor: "predictor", canary: false, findings: diagnose(snapshot, facts) }];
  }
  const canaryApp = `isvc.${service.metadata.name}-${entry.predictor.name}-predictor`;
  const isCanary = (pod: Snapshot["pods"][number]) => pod.metadata.labels?.app === canaryApp;
  const stableName = service.spec?.predictor?.name;
  return [
    { predictor: `stable predictor${stableName ? ` ${stableName}` : ""}`, canary: false, findings: diagnose(forPods(snapshot, snapshot.pods.filter((p) => !isCanary(p))), facts) },
    { predictor: `canary ${entry.predictor.name} (${entry.trafficPercent ?? 0} %)`, canary: true, findings: diagnose(forPods(snapshot, snapshot.pods.filter(isCanary)), facts) },
  ];
}
