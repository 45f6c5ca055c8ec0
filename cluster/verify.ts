// verify: wait until the current spec serves (bounded), smoke-test one of *its* pods, and on any
// failure collect a snapshot and say why.
import { collectSnapshot } from "./collect";
import { ConfigFacts, diagnose, Finding } from "./diagnosis";
import { KubeApi } from "./kubeApi";
import { formatReport } from "./report";
import { observeRollout, RolloutTarget } from "./rollout";
import { wakeThroughRoute } from "./wake";
import { normalizeDeploymentMode } from "../core/deploymentMode";
import { CheckResult, runChecks } from "./smoke";
import { condition, Snapshot } from "./snapshot";
import { rolloutFailureText, watchRollout } from "./watchRollout";
import { errorText } from "../core/errorText";

export interface VerifyOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Per smoke request. @default 10000 */
  readonly requestTimeoutMs?: number;
  readonly facts?: ConfigFacts;
  /** Test the canary's pods instead of the stable ones. */
  readonly canary?: boolean;
  /**
   * Where the cluster's ingress serves the route's host name (`host[:port]`), to wake a Knative
   * service scaled to zero through its route; unset: the URL's own host.
   */
  readonly ingress?: string;
  readonly log: (line: string) => void;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** The current spec's rollout completed (its pods Ready). */
  readonly ready: boolean;
  /** The revision tested: the current spec's ReplicaSet or Knative Revision. */
  readonly revision?: string;
  readonly checks: CheckResult[];
  /** The summary and, after a failure, the diagnosis report. */
  readonly report: string;
  readonly findings: Finding[];
  readonly snapshot?: Snapshot;
  /** Knative mode, scaled to zero: how long the waking request took (request → first answer). */
  readonly coldStartMs?: number;
}

export async function verify(api: KubeApi, target: RolloutTarget, options: VerifyOptions): Promise<VerifyResult> {
  const lines = [`verify ${target.namespace}/${target.name}${target.image ? ` (expecting ${target.image})` : ""}`];
  const log = (line: string) => {
    lines.push(line);
    options.log(line);
  };
  const rollout = await watchRollout(api, target, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, facts: options.facts, log });
  if (!rollout.ok) {
    log(`FAIL rollout: ${rollout.summary}`);
    log(`verify: FAILED (the current spec is not serving)`);
    if (rollout.report) options.log(rollout.report);
    const report = rollout.report ? `${lines.join("\n")}\n\n${rollout.report}` : `${lines.join("\n")}\n${rolloutFailureText(rollout)}\n`;
    return { ok: false, ready: false, revision: rollout.revision, checks: [], report, findings: rollout.findings, snapshot: rollout.snapshot };
  }
  log(`serving after ${Math.round(rollout.elapsedMs / 1000)}s: ${rollout.summary}`);
  let coldStartMs: number | undefined;
  if (options.canary && !rollout.canary) {
    log(`verify: FAILED (${target.namespace}/${target.name} runs no canary: nothing to test with --canary)`);
    return { ok: false, ready: true, revision: rollout.revision, checks: [], report: lines.join("\n") + "\n", findings: [] };
  }
  let tested = options.canary ? { pods: rollout.canary!.pods, revision: `the canary ${rollout.canary!.revision}` } : { pods: rollout.pods, revision: rollout.revision };
  const url = rollout.service?.status?.url;
  if (tested.pods.length === 0 && normalizeDeploymentMode(target.mode) === "Knative" && url && !options.canary) {
    // Scaled to zero: a request through the route wakes it (the activator holds it until a pod is Ready).
    log(`${tested.revision ?? "the current Revision"} has no pods (scaled to zero): waking it with GET /health through ${url}${options.ingress ? ` via ${options.ingress}` : ""}`);
    const woken = await wakeThroughRoute(url, options.ingress, options.timeoutMs);
    log(`${woken.ok ? "PASS" : "FAIL"} wake (cold start, request → first answer: ${(woken.coldStartMs / 1000).toFixed(1)} s): ${woken.detail}`);
    if (!woken.ok) {
      log("verify: FAILED (the service did not wake through its route)");
      return { ok: false, ready: true, revision: rollout.revision, checks: [], report: lines.join("\n") + "\n", findings: [], coldStartMs: woken.coldStartMs };
    }
    coldStartMs = woken.coldStartMs;
    const awake = await observeRollout(api, target);
    tested = { pods: awake.pods, revision: awake.revision };
  }
  const pod = tested.pods.find((p) => condition(p.status?.conditions, "Ready")?.status === "True");
  let checks: CheckResult[];
  if (!pod) {
    checks = [{ name: "pick a pod of the current revision", ok: false, detail: `no Ready pod among ${tested.pods.length} of ${tested.revision ?? "the current revision"}`, ms: 0 }];
  } else {
    log(`smoke tests against pod ${pod.metadata.name} of ${tested.revision} (through a port-forward to its port)`);
    checks = await runChecks(api, target, pod, options.requestTimeoutMs ?? 10000);
  }
  for (const c of checks) {
    log(`${c.ok ? "PASS" : "FAIL"} ${c.name} (${c.ms} ms)${c.ok ? "" : `: ${c.detail}`}`);
  }
  const ok = checks.every((c) => c.ok);
  log(ok ? `verify: all ${checks.length} checks passed on ${tested.revision}` : `verify: FAILED (${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed)`);
  if (ok) {
    return { ok, ready: true, revision: tested.revision, checks, report: lines.join("\n") + "\n", findings: [], coldStartMs };
  }
  log("collecting a snapshot to diagnose…");
  try {
    const snapshot = await collectSnapshot(api, target, { pods: tested.pods });
    const findings = diagnose(snapshot, options.facts);
    const report = formatReport(snapshot, findings);
    options.log(report);
    return { ok, ready: true, revision: rollout.revision, checks, report: `${lines.join("\n")}\n\n${report}`, findings, snapshot };
  } catch (e) {
    log(`could not collect a snapshot: ${errorText(e)}`);
    return { ok, ready: true, revision: rollout.revision, checks, report: lines.join("\n") + "\n", findings: [] };
  }
}
