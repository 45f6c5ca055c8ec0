// The human report of a snapshot: conditions, pods, the server's last log lines, recent events,
// then the findings. The same text goes to the terminal and to the report file.
import { CONTAINER_NAME } from "../core/manifests";
import { Finding, PredictorFindings } from "./diagnosis";
import { ContainerState, eventTime, logKey, Snapshot } from "./snapshot";

export const REPORT_LOG_LINES = 100;
export const REPORT_EVENTS = 20;

function state(s: ContainerState | undefined): string {
  if (s?.waiting) return `waiting ${s.waiting.reason ?? ""}${s.waiting.message ? `: ${s.waiting.message}` : ""}`;
  if (s?.terminated) return `terminated ${s.terminated.reason ?? ""} exit ${s.terminated.exitCode ?? "?"}${s.terminated.message ? `: ${s.terminated.message}` : ""}`;
  if (s?.running) return `running since ${s.running.startedAt ?? "?"}`;
  return "unknown";
}

function tail(text: string | undefined, count: number): string[] {
  return (text ?? "").split(/\r?\n/).filter((l) => l.length > 0).slice(-count);
}

export function formatFindings(findings: Finding[], heading = "Findings"): string[] {
  if (findings.length === 0) {
    return [`${heading}: none (no known failure in the snapshot)`];
  }
  return [`${heading} (most likely first):`, ...findings.flatMap((f, i) => [`  ${i + 1}. ${f.cause}`, `     evidence: ${f.evidence}`, `     fix: ${f.fix}`])];
}

/** The report; with a canary, pass each predictor's findings to have them reported apart. */
export function formatReport(snapshot: Snapshot, findings: Finding[], byPredictor?: PredictorFindings[]): string {
  const isvc = snapshot.inferenceService;
  const out: string[] = [];
  out.push(isvc ? `InferenceService ${isvc.metadata.namespace}/${isvc.metadata.name}${isvc.status?.url ? ` (${isvc.status.url})` : ""}` : "InferenceService: not found");
  if (snapshot.collectedAt) out.push(`collected ${snapshot.collectedAt}`);
  out.push("", "Conditions:");
  for (const c of isvc?.status?.conditions ?? []) {
    out.push(`  ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`);
  }
  out.push("", `Pods (${snapshot.pods.length}):`);
  for (const pod of snapshot.pods) {
    const statuses = pod.status?.containerStatuses ?? [];
    const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
    out.push(`  ${pod.metadata.name} ${pod.status?.phase ?? "?"} ready ${statuses.filter((s) => s.ready).length}/${statuses.length || pod.spec?.containers.length || 0} restarts ${restarts}`);
    for (const s of statuses) {
      out.push(`    ${s.name}: ${state(s.state)}${s.lastState?.terminated ? `; last ${state(s.lastState)}` : ""}`);
    }
    for (const c of (pod.status?.conditions ?? []).filter((c) => c.status !== "True" && c.message)) {
      out.push(`    ${c.type}=${c.status} ${c.reason ?? ""}: ${c.message}`);
    }
    for (const previous of [false, true]) {
      const key = logKey(pod.metadata.name, CONTAINER_NAME, previous);
      if (key in (snapshot.logs ?? {})) {
        out.push("", `  log ${key} (last ${REPORT_LOG_LINES} lines):`, ...tail(snapshot.logs[key], REPORT_LOG_LINES).map((l) => `    ${l}`));
      }
    }
  }
  const events = [...snapshot.events].sort((a, b) => eventTime(a).localeCompare(eventTime(b))).slice(-REPORT_EVENTS);
  out.push("", `Events (last ${REPORT_EVENTS} by time):`);
  for (const e of events) {
    out.push(`  ${eventTime(e)} ${e.type ?? ""} ${e.reason ?? ""} ${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}: ${e.message ?? ""}`);
  }
  for (const error of snapshot.errors ?? []) {
    out.push(`  (could not read: ${error})`);
  }
  if (byPredictor && byPredictor.length > 1) {
    for (const group of byPredictor) out.push("", ...formatFindings(group.findings, `Findings for the ${group.predictor}`));
  } else {
    out.push("", ...formatFindings(findings));
  }
  return out.join("\n") + "\n";
}
