// diagnose(snapshot): a pure function from what the cluster showed to why it is not serving.
import { forPods, InferenceService, Pod, PREDICTOR_LABEL, REVISION_LABEL, Snapshot } from "../snapshot";
import { canaryServiceName } from "../../core/canary";
import { CANARY_PERCENT_ANNOTATION } from "../../core/manifests";
import { imageNotFound, pullAuth, tagResolution } from "./imageRules";
import { portMismatch, probeFailing } from "./probeRules";
import { crashLoop, execFormat, oomKilled } from "./runtimeRules";
import { unschedulable } from "./schedulingRules";
import { reconcileFailed, revisionFailed } from "./serviceRules";
import { CAUSES, CauseId, ConfigFacts, Finding } from "./types";

export * from "./types";

const RULES: Record<CauseId, (s: Snapshot, f: ConfigFacts) => Finding[]> = {
  "reconcile-failed": reconcileFailed,
  "tag-resolution": tagResolution,
  "image-pull-auth": pullAuth,
  "image-not-found": imageNotFound,
  unschedulable,
  "exec-format": execFormat,
  "oom-killed": oomKilled,
  "port-mismatch": portMismatch,
  "crash-loop": crashLoop,
  "probe-failing": probeFailing,
  "revision-failed": revisionFailed,
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
 * With a Standard-mode canary (the InferenceService `<name>-canary`), the canary's pods (label
 * `serving.kserve.io/inferenceservice=<name>-canary`) are diagnosed apart from the stable's, so a
 * failing canary is named as the canary's and the stable's health is reported on its own. With a
 * Knative-mode canary (`canaryTrafficPercent`), the canary is the latest created Revision and the
 * stable KServe's `latestRolledoutRevision`: their pods are told apart by Knative's revision label.
 */
export function diagnoseByPredictor(snapshot: Snapshot, facts: ConfigFacts = {}): PredictorFindings[] {
  const service = snapshot.inferenceService;
  const knative = service ? knativeRevisions(service) : undefined;
  if (knative) {
    const of = (revision: string) => (pod: Pod) => pod.metadata.labels?.[REVISION_LABEL] === revision;
    // Each Revision's own: its pods and logs, the events on it and the objects it owns
    // (`<revision>-deployment…`; the other Revision's are left out), and its revision-failed.
    const forRevision = (revision: string) => {
      const other = revision === knative.stable ? knative.canary : knative.stable;
      const events = snapshot.events.filter((e) => !(e.involvedObject?.name ?? "").startsWith(other));
      const own = { ...forPods(snapshot, snapshot.pods.filter(of(revision))), events };
      return diagnose(own, facts).filter((f) => f.revision === undefined || f.revision === revision);
    };
    return [
      { predictor: `stable Revision ${knative.stable}`, canary: false, findings: forRevision(knative.stable) },
      { predictor: `canary Revision ${knative.canary} (${knative.percent} %)`, canary: true, findings: forRevision(knative.canary) },
    ];
  }
  const canaryName = service ? canaryServiceName(service.metadata.name) : undefined;
  const isCanary = (pod: Pod) => pod.metadata.labels?.[PREDICTOR_LABEL] === canaryName;
  if (!service || (!snapshot.canaryService && !snapshot.pods.some(isCanary))) {
    return [{ predictor: "predictor", canary: false, findings: diagnose(forPods(snapshot, snapshot.pods.filter((p) => !isCanary(p))), facts) }];
  }
  const percent = snapshot.canaryService?.metadata.annotations?.[CANARY_PERCENT_ANNOTATION];
  return [
    { predictor: "stable predictor", canary: false, findings: diagnose(forPods(snapshot, snapshot.pods.filter((p) => !isCanary(p))), facts) },
    { predictor: `canary ${canaryName}${percent ? ` (${percent} %)` : ""}`, canary: true, findings: diagnose(forPods(snapshot, snapshot.pods.filter(isCanary)), facts) },
  ];
}

/** A Knative-mode canary's two Revisions, when the service has one beside a rolled-out stable. */
function knativeRevisions(service: InferenceService): { stable: string; canary: string; percent: number } | undefined {
  const percent = service.spec?.predictor?.canaryTrafficPercent;
  const predictor = service.status?.components?.predictor;
  const stable = predictor?.latestRolledoutRevision;
  const canary = predictor?.latestCreatedRevision;
  return percent !== undefined && stable && canary && stable !== canary ? { stable, canary, percent } : undefined;
}
