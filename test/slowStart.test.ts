// No false alarm: a server that binds its port only after loading its model refuses the startup
// probe's connections for a while. Recorded on the real cluster (`npm run e2e` scenario 12, an
// image that listens 25 s late, its startup probe allowing 2 minutes) 17 s into that start.
import * as assert from "assert";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { diagnose, Finding } from "../cluster/diagnosis";
import { Snapshot } from "../cluster/snapshot";
import { certainFindings, watchRollout } from "../cluster/watchRollout";
import { FakeKubeApi } from "./helpers/fakeKubeApi";
import { loadRecording, recordingState } from "./helpers/recordings";

const recording = loadRecording("standard-slow-start");
const portMismatch = (snapshot: Snapshot): Finding | undefined => diagnose(snapshot).find((f) => f.cause === "port-mismatch");
/** The same objects, looked at `seconds` after the server container started. */
function secondsAfterStart(seconds: number): Snapshot {
  const started = Date.parse(recording.pods[0].status!.containerStatuses![0].state!.running!.startedAt!);
  return { ...recording, collectedAt: new Date(started + seconds * 1000).toISOString() };
}

describe("rollout watch: a slow start is not a port mismatch (objects recorded from a real cluster)", function () {
  this.timeout(20000);
  let fake: FakeKubeApi | undefined;
  afterEach(() => fake?.stop());

  it("the recording shows what a wrong port would: the startup probe refused, the container running, no listening line", () => {
    assert.match(recording.events.map((e) => e.message).join("\n"), /Startup probe failed: .*:8000: connect: connection refused/);
    const finding = portMismatch(recording);
    assert.ok(finding, "port-mismatch is still named as the likely cause (diagnose reports it)");
    assert.strictEqual(finding!.conclusive, false, "but not as conclusive");
  });

  it("is not certain within the startup probe's budget (2 minutes here), so the watch does not fail the rollout", () => {
    for (const seconds of [17, 60, 119]) {
      const snapshot = secondsAfterStart(seconds);
      assert.deepStrictEqual(certainFindings(diagnose(snapshot), snapshot, new Map(), Date.now()), [], `certain ${seconds} s after start`);
    }
  });

  it("becomes certain once the budget is spent, or once the kubelet restarted the container for failing its startup probe", () => {
    const late = secondsAfterStart(121);
    assert.strictEqual(portMismatch(late)?.conclusive, true);
    assert.deepStrictEqual(certainFindings(diagnose(late), late, new Map(), Date.now()).map((f) => f.cause), ["port-mismatch"]);
    const killed: Snapshot = {
      ...recording,
      events: [...recording.events, { ...recording.events.find((e) => e.reason === "Unhealthy")!, reason: "Killing", message: "Container kserve-container failed startup probe, will be restarted" }],
    };
    assert.strictEqual(portMismatch(killed)?.conclusive, true);
  });

  it("the server's own word on another port stays certain at once", () => {
    const pod = recording.pods[0].metadata.name;
    const saysOtherPort: Snapshot = { ...recording, logs: { [`${pod}/kserve-container`]: "INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)" } };
    const finding = portMismatch(saysOtherPort);
    assert.strictEqual(finding?.conclusive, true);
    assert.deepStrictEqual(certainFindings(diagnose(saysOtherPort), saysOtherPort, new Map(), Date.now()).map((f) => f.cause), ["port-mismatch"]);
  });

  it("the watch keeps waiting on the recorded cluster instead of failing at once", async () => {
    // The watch reads the clock: the recorded start is moved to 17 s ago, as it was when recorded.
    const now = structuredClone(recording);
    now.pods[0].status!.containerStatuses![0].state!.running!.startedAt = new Date(Date.now() - 17000).toISOString().replace(/\.\d+Z$/, "Z");
    fake = await new FakeKubeApi(recordingState(now)).start();
    const api = new KubeApi(loadKubeConfig(fake.writeKubeconfig()));
    const service = recording.inferenceService!;
    const target = { name: service.metadata.name, namespace: service.metadata.namespace!, mode: "Standard", generation: service.metadata.generation, image: service.spec!.predictor!.containers![0].image as string };
    const result = await watchRollout(api, target, { timeoutMs: 2500, intervalMs: 200, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, /^not serving after 2\.5s/, `failed before its timeout: ${result.summary}`);
  });
});
