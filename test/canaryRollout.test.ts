// Canaries on objects recorded from a real cluster (KServe v0.20.0, Standard mode; npm run e2e
// with E2E_RECORD_DIR): the rollout watch, verify --canary, and what promote and rollback read.
import * as assert from "assert";
import { parseSettings } from "../core/config/settings";
import { RolloutTarget } from "../cluster/rollout";
import { runningCanary } from "../commands/rolloutCommands";
import { verify } from "../cluster/verify";
import { watchRollout } from "../cluster/watchRollout";
import { diagnose, diagnoseByPredictor } from "../cluster/diagnosis";
import { formatReport } from "../cluster/report";
import { forPods, PREDICTOR_LABEL } from "../cluster/snapshot";
import * as os from "os";
import * as path from "path";
import { run } from "./helpers/runProcess";
import { PROJECT_DIR } from "./helpers/config";
import { loadRecording, Recording, recordingState, loopbackApis } from "./helpers/recordings";

const imageOf = (containers?: { image?: string }[]) => containers![0].image!;
const CANARY = "california-housing-canary";
const podsOf = (r: Recording, service: string) => r.pods.filter((p) => p.metadata.labels?.[PREDICTOR_LABEL] === service).map((p) => p.metadata.name);

function canaryTarget(r: Recording): RolloutTarget {
  return {
    name: "california-housing",
    namespace: "e2e-created",
    mode: "Standard",
    generation: r.inferenceService!.metadata.generation,
    image: imageOf(r.inferenceService!.spec!.predictor!.containers),
    canaryImage: imageOf(r.canaryService!.spec!.predictor!.containers),
  };
}

function settingsFor(r: Recording, rollout?: object) {
  return parseSettings(
    {
      "model-serving:namespace": "e2e-created",
      "model-serving:deploymentMode": "Standard",
      "model-serving:image": imageOf((r.canaryService ?? r.inferenceService)!.spec!.predictor!.containers),
      "model-serving:nodeRoleAccess": { enabled: false },
      "model-serving:replicas": { min: 2, max: 2 },
      ...(rollout ? { "model-serving:rollout": rollout } : {}),
    },
    { stack: "e2e", projectDir: PROJECT_DIR },
  );
}

describe("canary rollouts on objects recorded from a real cluster", function () {
  this.timeout(20000);
  const apis = loopbackApis();
  const { start, serve } = apis;

  it("the recording is the design KServe v0.20 admits: an unnamed stable predictor, no spec.canary, and the InferenceService <name>-canary", () => {
    const r = loadRecording("standard-canary-serving");
    assert.strictEqual(r.inferenceService!.spec!.predictor!.name, undefined);
    assert.strictEqual((r.inferenceService!.spec as Record<string, unknown>).canary, undefined);
    assert.strictEqual(r.canaryService!.metadata.name, CANARY);
    assert.deepStrictEqual([podsOf(r, "california-housing").length, podsOf(r, CANARY).length], [2, 1]);
  });

  it("a serving canary: the stable's Deployment and the canary InferenceService's each complete and Ready; their pods kept apart", async () => {
    const { api, r } = await start("standard-canary-serving");
    const result = await watchRollout(api, canaryTarget(r), { timeoutMs: 3000, intervalMs: 20, log: () => undefined });
    assert.ok(result.ok, result.summary);
    assert.match(result.summary, new RegExp(`^ReplicaSet california-housing-predictor-\\w+ .*: 2 of 2 pods available; canary ${CANARY}: ReplicaSet ${CANARY}-predictor-\\w+ .*: 1 of 1 pods available$`));
    assert.deepStrictEqual(result.pods.map((p) => p.metadata.name).sort(), podsOf(r, "california-housing").sort());
    assert.deepStrictEqual(result.canary!.pods.map((p) => p.metadata.name), podsOf(r, CANARY));
  });

  it("the canary is waited for: absent, or not Ready by KServe's word, the rollout is not done", async () => {
    const r = loadRecording("standard-canary-serving");
    for (const canary of [[], [{ ...r.canaryService!, status: { ...r.canaryService!.status, conditions: [{ type: "Ready", status: "False" }] } }]]) {
      const api = await serve(recordingState(r, { otherServices: canary as never }));
      const result = await watchRollout(api, canaryTarget(r), { timeoutMs: 300, intervalMs: 20, log: () => undefined });
      assert.strictEqual(result.ok, false);
      assert.match(result.summary, canary.length === 0 ? /canary california-housing-canary: InferenceService california-housing-canary not found/ : /canary california-housing-canary: .*; Ready=False/);
    }
  });

  it("verify --canary smoke-tests the canary's pod; plain verify a stable one", async () => {
    const { api, r } = await start("standard-canary-serving");
    const canary = await verify(api, canaryTarget(r), { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, canary: true, log: () => undefined });
    assert.ok(canary.ok, canary.report);
    assert.deepStrictEqual([...new Set(apis.fake.portForwards.map((f) => f.pod))], podsOf(r, CANARY));
    apis.fake.portForwards.length = 0;
    const stable = await verify(api, canaryTarget(r), { timeoutMs: 3000, intervalMs: 20, requestTimeoutMs: 2000, log: () => undefined });
    assert.ok(stable.ok, stable.report);
    const tested = [...new Set(apis.fake.portForwards.map((f) => f.pod))];
    assert.ok(tested.length === 1 && podsOf(r, "california-housing").includes(tested[0]), `verify tested ${tested.join(", ")}`);
  });

  it("a crash-looping canary fails the rollout as the canary's", async () => {
    const { api, r } = await start("standard-canary-crash-loop");
    const result = await watchRollout(api, canaryTarget(r), { timeoutMs: 5000, intervalMs: 20, log: () => undefined });
    assert.strictEqual(result.ok, false);
    assert.match(result.summary, new RegExp(`^the canary ReplicaSet ${CANARY}-predictor-\\w+ .* will not serve: crash-loop$`));
    assert.match(result.findings[0].evidence, new RegExp(`${CANARY}-predictor`));
  });

  it("promote and rollback read the running canary, and refuse when there is none or the stack makes none", async () => {
    let { api, r } = await start("standard-canary-serving");
    const stable = imageOf(r.inferenceService!.spec!.predictor!.containers);
    const found = await runningCanary(api, settingsFor(r, { canaryPercent: 20, stableImage: stable }));
    assert.deepStrictEqual(found, { image: imageOf(r.canaryService!.spec!.predictor!.containers), percent: 20, stableImage: stable });
    await assert.rejects(runningCanary(api, settingsFor(r)), /^Error: nothing to do: model-serving:rollout\.canaryPercent is unset/);
    ({ api, r } = await start("standard-serving"));
    const plain = imageOf(r.inferenceService!.spec!.predictor!.containers);
    await assert.rejects(runningCanary(api, settingsFor(r, { canaryPercent: 20, stableImage: plain })), /^Error: nothing to do: e2e-created\/california-housing runs no canary/);
  });
});

describe("npm run promote / rollback: refused, with the reason, when there is nothing to do", function () {
  this.timeout(60000);

  it("a stack without rollout.canaryPercent: exit 1 and the key, before Pulumi or the cluster is asked", async () => {
    for (const command of ["promote", "rollback"]) {
      const result = await run("npm", ["run", "--silent", command, "--", "dev", "--kubeconfig", path.join(os.tmpdir(), "no-such-kubeconfig")]);
      assert.strictEqual(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stderr, new RegExp(`^${command}: nothing to do: model-serving:rollout\\.canaryPercent is unset`, "m"));
    }
  });

  it("no arguments: the usage, exit 2", async () => {
    const result = await run("npm", ["run", "--silent", "promote"]);
    assert.strictEqual(result.status, 2);
    assert.match(result.stderr, /usage: npm run --silent promote -- <stack>/);
  });
});

describe("diagnose with a canary: each predictor's health on its own", function () {
  this.timeout(60000);

  it("names the failing canary's crash loop as the canary's, and the stable predictor healthy", () => {
    const r = loadRecording("standard-canary-crash-loop");
    const groups = diagnoseByPredictor(r);
    assert.deepStrictEqual(groups.map((g) => [g.predictor, g.canary, g.findings.map((f) => f.cause)]), [
      ["stable predictor", false, []],
      [`canary ${CANARY} (20 %)`, true, ["crash-loop"]],
    ]);
    const report = formatReport(r, diagnose(r), groups);
    assert.match(report, /Findings for the stable predictor: none/);
    assert.match(report, /Findings for the canary california-housing-canary \(20 %\) \(most likely first\):\n  1\. crash-loop/);
  });

  it("each predictor is diagnosed on its own pods' logs only (a rule that reads log lines does not see the other's)", () => {
    const r = loadRecording("standard-canary-crash-loop");
    const canaryPod = r.pods.find((p) => p.metadata.labels?.[PREDICTOR_LABEL] === CANARY)!;
    // A log line that alone makes a finding (exec-format), in the canary's log.
    r.logs[`${canaryPod.metadata.name}/kserve-container`] = "exec /usr/local/bin/python: exec format error";
    const [stable, canary] = diagnoseByPredictor(r);
    assert.deepStrictEqual(stable.findings, []);
    assert.ok(canary.findings.some((f) => f.cause === "exec-format"));
    const narrowed = forPods(r, [canaryPod]);
    assert.ok(Object.keys(narrowed.logs).every((key) => key.startsWith(`${canaryPod.metadata.name}/`)));
  });

  it("npm run diagnose -- --snapshot <canary recording> --json reports byPredictor", async () => {
    const result = await run("npm", ["run", "--silent", "diagnose", "--", "--snapshot", path.join(__dirname, "fixtures/rollouts/standard-canary-crash-loop.json"), "--json", "--report", path.join(os.tmpdir(), "canary-diagnose.txt")]);
    assert.strictEqual(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepStrictEqual(json.byPredictor.map((g: any) => [g.canary, g.findings.map((f: any) => f.cause)]), [[false, []], [true, ["crash-loop"]]]);
  });
});
