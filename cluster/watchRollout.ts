// Watches a rollout until the current spec serves, and fails as soon as the diagnosis is certain
// (an image that does not exist, a crash loop, a pod no node can take) instead of at the timeout.
// `pulumi up` (components/inferenceService.ts) and verify both wait through this.
import { collectSnapshot } from "./collect";
import { sleep, within } from "./deadline";
import { CauseId, ConfigFacts, diagnose, Finding } from "./diagnosis";
import { serverStatus } from "./diagnosis/facts";
import { KubeApi, KubeApiError } from "./kubeApi";
import { observeRollout, RolloutObservation, RolloutTarget } from "./rollout";
import { formatFindings, formatReport } from "./report";
import { forPods, InferenceService, Pod, Snapshot } from "./snapshot";
import { errorText } from "../core/errorText";

export interface WatchOptions {
  readonly timeoutMs: number;
  /** Between looks. @default 2000 */
  readonly intervalMs?: number;
  readonly facts?: ConfigFacts;
  readonly log: (line: string) => void;
}

export interface RolloutResult {
  readonly ok: boolean;
  /** The canary, when the spec has one: its revision and pods. */
  readonly canary?: RolloutObservation["canary"];
  /** The current spec's revision (what serves, or what failed). */
  readonly revision?: string;
  /** The current revision's pods. */
  readonly pods: Pod[];
  readonly service: InferenceService | null;
  readonly elapsedMs: number;
  /** One line: what serves, or why not. */
  readonly summary: string;
  readonly findings: Finding[];
  /** The full diagnosis report after a failure. */
  readonly report?: string;
  readonly snapshot?: Snapshot;
}

/**
 * How long each cause must persist before the rollout is called failed. Each rests on evidence a
 * normal, slow start cannot produce; a finding that says it is not conclusive (a port that refuses
 * connections before the probes' budget is spent) waits like the causes not listed here (a probe
 * failing while the model loads, say), which only fail the rollout at the timeout.
 */
export const CERTAIN_AFTER_SECONDS: Partial<Record<CauseId, number>> = {
  // An admission webhook refused what KServe derived from the spec (see conclusive).
  "reconcile-failed": 0,
  // The kubelet's or the controller's own words: the reference cannot be pulled or resolved.
  "tag-resolution": 0,
  "image-not-found": 0,
  // The container exited: the kernel refused its binary, or killed it for memory.
  "exec-format": 0,
  "oom-killed": 0,
  // The server's log names another port, or the probes' start budget ran out (see conclusive).
  "port-mismatch": 0,
  // Only once the kubelet backs off (see crashLooping): a single crash may be a blip.
  "crash-loop": 0,
  // Only a probe path the server answers 404 (see conclusive): the path will not appear by waiting.
  "probe-failing": 0,
  // Knative gave up on the Revision of this spec (its container exited, or its progress deadline passed).
  "revision-failed": 0,
  // A node-role policy attached in this same update takes a few seconds to reach the nodes.
  "image-pull-auth": 30,
  // Let the scheduler retry once; a cluster autoscaler's scale-up keeps it waiting (see below).
  unschedulable: 20,
};

/** The kubelet is backing off a container that exited non-zero: it will not start by itself. */
function crashLooping(pods: Pod[]): boolean {
  return pods.some((pod) => {
    const s = serverStatus(pod);
    const exited = s?.lastState?.terminated?.exitCode;
    return (s?.state?.waiting?.reason === "CrashLoopBackOff" && exited !== undefined && exited !== 0) || (s?.restartCount ?? 0) >= 2;
  });
}

/** A cluster autoscaler said it is adding a node for these pods. */
function scalingUp(snapshot: Snapshot): boolean {
  const names = new Set(snapshot.pods.map((p) => p.metadata.name));
  return snapshot.events.some((e) => e.reason === "TriggeredScaleUp" && names.has(e.involvedObject?.name ?? ""));
}

/** The findings that are certain now, given when each cause was first seen (updated here). */
export function certainFindings(findings: Finding[], snapshot: Snapshot, firstSeen: Map<CauseId, number>, now: number): Finding[] {
  for (const cause of [...firstSeen.keys()]) {
    if (!findings.some((f) => f.cause === cause)) firstSeen.delete(cause);
  }
  return findings.filter((f) => {
    const after = CERTAIN_AFTER_SECONDS[f.cause];
    if (after === undefined || f.conclusive === false) return false;
    if (f.cause === "crash-loop" && !crashLooping(snapshot.pods)) return false;
    if (f.cause === "unschedulable" && scalingUp(snapshot)) return false;
    const since = firstSeen.get(f.cause) ?? now;
    firstSeen.set(f.cause, since);
    return now - since >= after * 1000;
  });
}

/** Findings about a Knative Revision count only for the Revisions this update made, not an earlier one's leftover status. */
function ownFindings(findings: Finding[], revisions: (string | undefined)[]): Finding[] {
  return findings.filter((f) => f.revision === undefined || revisions.includes(f.revision));
}

/** "600s", or "0.4s" for the short waits tests use. */
function seconds(ms: number): string {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export async function watchRollout(api: KubeApi, target: RolloutTarget, options: WatchOptions): Promise<RolloutResult> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  const firstSeen = new Map<CauseId, number>();
  const canaryFirstSeen = new Map<CauseId, number>();
  let last: RolloutObservation | undefined;
  let lastLine = "";
  const say = (text: string) => {
    if (text !== lastLine) {
      options.log(`[${Math.round((Date.now() - start) / 1000)}s] ${text}`);
      lastLine = text;
    }
  };
  const failed = async (summary: string, findings?: Finding[], snapshot?: Snapshot): Promise<RolloutResult> => {
    // Without a pod of the new spec, every predictor pod is better evidence than none.
    const pods = last?.pods.length ? last.pods : undefined;
    const shot = snapshot ?? (await collectSnapshot(api, target, { pods }).catch(() => undefined));
    const found = findings ?? (shot ? ownFindings(diagnose(shot, options.facts), [last?.revisionName, last?.canary?.revisionName]) : []);
    return {
      ok: false,
      revision: last?.revision,
      pods: last?.pods ?? [],
      canary: last?.canary,
      service: last?.service ?? null,
      elapsedMs: Date.now() - start,
      summary,
      findings: found,
      report: shot ? formatReport(shot, found) : undefined,
      snapshot: shot,
    };
  };

  for (;;) {
    try {
      last = await within(observeRollout(api, target), deadline - Date.now(), "the rollout's objects");
      say(last.progress);
      if (last.done) {
        return { ok: true, revision: last.revision, pods: last.pods, canary: last.canary, service: last.service, elapsedMs: Date.now() - start, summary: last.progress, findings: [] };
      }
      if (last.stalled) {
        return failed(last.stalled);
      }
      // The stable revision's pods and the canary's are diagnosed apart, so a failure names whose it is.
      const groups = [
        { pods: last.pods, seen: firstSeen, revisionName: last.revisionName, who: last.canary?.pods === last.pods ? `the canary ${last.revision}` : (last.revision ?? "the new spec") },
        ...(last.canary && last.canary.pods !== last.pods ? [{ pods: last.canary.pods, seen: canaryFirstSeen, revisionName: last.canary.revisionName, who: `the canary ${last.canary.revision ?? ""}`.trim() }] : []),
      ];
      // One read of events and logs serves both groups.
      const all = await within(collectSnapshot(api, target, { pods: groups.flatMap((g) => g.pods) }), deadline - Date.now(), "the diagnosis snapshot");
      for (const group of groups) {
        const snapshot = forPods(all, group.pods);
        // A finding about a Revision counts for the Revision this update made, not an earlier one's leftover status.
        const sure = certainFindings(ownFindings(diagnose(snapshot, options.facts), [group.revisionName]), snapshot, group.seen, Date.now());
        if (sure.length > 0) {
          return failed(`${group.who} will not serve: ${sure.map((f) => f.cause).join(", ")}`, sure, snapshot);
        }
      }
    } catch (e) {
      // Refused credentials do not heal by waiting.
      if (e instanceof KubeApiError && (e.status === 401 || e.status === 403)) {
        return failed(e.message, []);
      }
      say(`cannot read the rollout: ${errorText(e)}`);
    }
    if (Date.now() >= deadline) {
      return failed(`not serving after ${seconds(options.timeoutMs)}: ${last?.progress ?? lastLine}`);
    }
    await sleep(Math.min(options.intervalMs ?? 2000, deadline - Date.now()));
  }
}

/** The error text `pulumi up` and verify print for a failed rollout: what, then the diagnosis. */
export function rolloutFailureText(result: RolloutResult): string {
  const findings = result.findings.length > 0 ? formatFindings(result.findings) : ["No known cause in the pods, events and logs; `npm run diagnose -- <stack>` prints the full report."];
  return [`rollout failed: ${result.summary}`, ...findings].join("\n");
}
