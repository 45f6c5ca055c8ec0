// diagnose(snapshot): a pure function from what the cluster showed to why it is not serving.
import { Snapshot } from "../snapshot";
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
