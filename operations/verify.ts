// verify: wait for Ready (bounded), smoke-test a predictor pod, and on any failure collect a
// snapshot and say why.
import { collectSnapshot, Target } from "./collect";
import { ConfigFacts, diagnose, Finding } from "./diagnosis";
import { KubeApi } from "./kubeApi";
import { formatReport } from "./report";
import { CheckResult, pickPod, runChecks } from "./smoke";
import { Snapshot } from "./snapshot";
import { waitForReady } from "./waitReady";
import { errorText } from "./cli";

export interface VerifyOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Per smoke request. @default 10000 */
  readonly requestTimeoutMs?: number;
  readonly facts?: ConfigFacts;
  readonly log: (line: string) => void;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly ready: boolean;
  readonly checks: CheckResult[];
  /** The summary and, after a failure, the diagnosis report. */
  readonly report: string;
  readonly findings: Finding[];
  readonly snapshot?: Snapshot;
}

export async function verify(api: KubeApi, target: Target, options: VerifyOptions): Promise<VerifyResult> {
  const lines = [`verify ${target.namespace}/${target.name}`];
  const log = (line: string) => {
    lines.push(line);
    options.log(line);
  };
  const wait = await waitForReady(api, target, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, log });
  let checks: CheckResult[] = [];
  if (!wait.ready) {
    log(`FAIL Ready: ${wait.reason}`);
  } else {
    log(`Ready after ${Math.round(wait.elapsedMs / 1000)}s`);
    const { pod, reason } = await pickPod(api, target).catch((e: unknown) => ({ pod: undefined, reason: errorText(e) }));
    if (!pod) {
      checks = [{ name: "pick a predictor pod", ok: false, detail: reason ?? "none", ms: 0 }];
    } else {
      log(`smoke tests against pod ${pod.metadata.name} (through a port-forward to its port)`);
      checks = await runChecks(api, target, pod, options.requestTimeoutMs ?? 10000);
    }
    for (const c of checks) {
      log(`${c.ok ? "PASS" : "FAIL"} ${c.name} (${c.ms} ms)${c.ok ? "" : `: ${c.detail}`}`);
    }
  }
  const ok = wait.ready && checks.length > 0 && checks.every((c) => c.ok);
  log(ok ? `verify: all ${checks.length} checks passed` : `verify: FAILED (${wait.ready ? `${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed` : "not Ready"})`);
  if (ok) {
    return { ok, ready: true, checks, report: lines.join("\n") + "\n", findings: [] };
  }
  log("collecting a snapshot to diagnose…");
  try {
    const snapshot = await collectSnapshot(api, target);
    const findings = diagnose(snapshot, options.facts);
    const report = formatReport(snapshot, findings);
    options.log(report);
    return { ok, ready: wait.ready, checks, report: `${lines.join("\n")}\n\n${report}`, findings, snapshot };
  } catch (e) {
    log(`could not collect a snapshot: ${errorText(e)}`);
    return { ok, ready: wait.ready, checks, report: lines.join("\n") + "\n", findings: [] };
  }
}
