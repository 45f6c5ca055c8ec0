// The human report: conditions, pods, the server's log tail, the last events by time, findings.
import * as assert from "assert";
import { diagnose } from "../cluster/diagnosis";
import { formatReport } from "../cluster/report";
import { logKey } from "../cluster/snapshot";
import { loadSnapshot } from "./helpers/snapshots";

describe("diagnose report", () => {
  it("shows conditions, each pod's state and exit code, the previous log and the findings", () => {
    const snapshot = loadSnapshot("oom-killed");
    const report = formatReport(snapshot, diagnose(snapshot));
    assert.match(report, /^InferenceService model-serving-prod\/california-housing/);
    assert.match(report, /  Ready=False MinimumReplicasUnavailable: Deployment does not have minimum availability\./);
    assert.match(report, /california-housing-predictor-6d5f7b8c9-q4w8z Running ready 0\/1 restarts 4/);
    assert.match(report, /kserve-container: waiting CrashLoopBackOff: back-off 1m20s.*; last terminated OOMKilled exit 137/);
    assert.match(report, /log california-housing-predictor-6d5f7b8c9-q4w8z\/kserve-container\/previous \(last 100 lines\):\n    INFO:     Started server process \[1\]/);
    assert.match(report, /could not read: log .*waiting to start: CrashLoopBackOff/);
    assert.match(report, /Findings \(most likely first\):\n  1\. oom-killed\n     evidence: .*OOMKilled.*\n     fix: raise `model-serving:resources\.limits\.memory` \(now "256Mi"\)/);
  });

  it("keeps the last 100 log lines and the last 20 events, oldest first", () => {
    const snapshot = loadSnapshot("healthy-raw");
    const pod = snapshot.pods[0].metadata.name;
    snapshot.logs[logKey(pod, "kserve-container")] = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join("\n");
    const template = snapshot.events[0];
    snapshot.events = Array.from({ length: 30 }, (_, i) => ({ ...template, reason: `R${i}`, lastTimestamp: new Date(Date.UTC(2026, 10, 27, 2, 59 - i)).toISOString() }));
    const report = formatReport(snapshot, []);
    assert.ok(!report.includes("    line 50\n") && report.includes("    line 51\n") && report.includes("    line 150\n"));
    const reasons = [...report.matchAll(/Normal (R\d+) /g)].map((m) => m[1]);
    assert.deepStrictEqual(reasons, Array.from({ length: 20 }, (_, i) => `R${19 - i}`));
    assert.match(report, /Findings: none/);
  });
});
