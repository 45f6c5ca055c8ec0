// Diagnosis of recorded snapshots: the right cause first, evidence quoted from the snapshot, the
// fix naming the config key and its current value; nothing for a healthy service.
import * as assert from "assert";
import { CAUSES, CauseId, diagnose } from "../cluster/diagnosis";
import { logKey, Snapshot } from "../cluster/snapshot";
import { loadSnapshot, quotedPassages, snapshotStrings } from "./helpers/snapshots";

const SL_POD = "california-housing-predictor-00001-deployment-7c9d8f6b5d-x7k2p";

/** Per cause: a passage of the snapshot the evidence must quote, and what the fix must say. */
const CASES: Record<CauseId, { quote: string; fix: string[] }> = {
  // Recorded on the toolchain's Knative mode: Knative's webhook refuses a user-set PORT.
  "reconcile-failed": { quote: "is a reserved environment variable: spec.template.spec.containers[0].env[1].name", fix: ["`model-serving:env`", "refused"] },
  "port-mismatch": { quote: "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)", fix: ["`model-serving:port` is 8080", "listens on 8000"] },
  "probe-failing": { quote: "Readiness probe failed: HTTP probe failed with statuscode: 404", fix: ["`model-serving:probes.readiness.path` is \"/healthz\""] },
  "image-pull-auth": { quote: "authorization failed: no basic auth credentials", fix: ["`model-serving:nodeRoleAccess.enabled`", "`model-serving:pullSecret.enabled`"] },
  "image-not-found": { quote: ": not found", fix: ["`model-serving:image`", "sha256:0000000000"] },
  "tag-resolution": { quote: "failed to resolve image to digest", fix: ["deploy by digest", "`model-serving:image` is \"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/model-serving/dev/california-housing:v1\""] },
  "oom-killed": { quote: "OOMKilled", fix: ["`model-serving:resources.limits.memory` (now \"256Mi\")"] },
  "crash-loop": { quote: "model_server: invalid environment: MAX_BATCH_ROWS='0': must be an integer ≥ 1", fix: ["`model-serving:env` (now {\"MAX_BATCH_ROWS\":\"0\"})"] },
  "exec-format": { quote: "exec /usr/local/bin/python: exec format error", fix: ["`model-serving:build.platform` is \"linux/amd64\""] },
  unschedulable: { quote: "0/2 nodes are available: 2 Insufficient memory.", fix: ["`model-serving:resources.requests.memory` (now \"12Gi\")"] },
  // Recorded on the toolchain's Knative mode (e2e K7b): the Revision's pods gone after its progress deadline.
  "revision-failed": { quote: "could not load model from /nonexistent", fix: ["`model-serving:env`", "MODEL_DIR"] },
};

describe("diagnose: one recorded snapshot per cause", () => {
  for (const cause of CAUSES) {
    it(`${cause}: named first, evidence quoted from the snapshot, fix names the key`, () => {
      const snapshot = loadSnapshot(cause);
      const findings = diagnose(snapshot);
      assert.ok(findings.length > 0, "no findings");
      const first = findings[0];
      assert.strictEqual(first.cause, cause, JSON.stringify(findings, null, 2));
      const strings = snapshotStrings(snapshot);
      const { quote, fix } = CASES[cause];
      assert.ok(strings.some((s) => s.includes(quote)), `the test's passage is not in the fixture: ${quote}`);
      assert.ok(first.evidence.includes(quote), `evidence does not quote ${JSON.stringify(quote)}: ${first.evidence}`);
      // Every quoted passage in the evidence is really in the snapshot, not paraphrased.
      for (const passage of quotedPassages(first.evidence)) {
        assert.ok(strings.some((s) => s.includes(passage)), `evidence quotes text not in the snapshot: ${passage}`);
      }
      for (const text of fix) {
        assert.ok(first.fix.includes(text), `fix lacks ${text}: ${first.fix}`);
      }
    });
  }
});

describe("diagnose: healthy services and edge cases", () => {
  for (const name of ["healthy-serverless", "healthy-raw"]) {
    it(`${name}: no findings (a 503 while the model loaded is history once Ready)`, () => {
      const snapshot = loadSnapshot(name);
      assert.ok(snapshot.events.length > 0 && snapshot.pods.length > 0);
      assert.deepStrictEqual(diagnose(snapshot), []);
    });
  }

  it("the same probe failure on a pod that is not ready is a finding", () => {
    const snapshot = loadSnapshot("healthy-serverless");
    const pod = snapshot.pods[0];
    pod.status!.conditions!.find((c) => c.type === "Ready")!.status = "False";
    assert.deepStrictEqual(diagnose(snapshot).map((f) => f.cause), ["probe-failing"]);
  });

  it("port-mismatch without the startup line: connection refused on the container port while the server runs", () => {
    const snapshot = loadSnapshot("port-mismatch");
    for (const key of Object.keys(snapshot.logs)) {
      if (key.includes("kserve-container")) delete snapshot.logs[key];
    }
    const [first] = diagnose(snapshot);
    assert.strictEqual(first.cause, "port-mismatch");
    assert.match(first.evidence, /dial tcp 10\.0\.13\.57:8080: connect: connection refused|dial tcp 127\.0\.0\.1:8080/);
  });

  it("a server that listens on the container port is not a port mismatch", () => {
    const snapshot = loadSnapshot("port-mismatch");
    for (const key of Object.keys(snapshot.logs)) {
      snapshot.logs[key] = snapshot.logs[key].replace(":8000 (Press", ":8080 (Press");
    }
    assert.ok(!diagnose(snapshot).some((f) => f.cause === "port-mismatch"));
  });

  it("OOMKilled inside a crash loop is named as OOM, without a separate crash-loop finding", () => {
    const findings = diagnose(loadSnapshot("oom-killed"));
    assert.deepStrictEqual(findings.map((f) => f.cause), ["oom-killed"]);
  });

  it("crash-loop: a missing package in the previous log says to add it", () => {
    const snapshot = loadSnapshot("crash-loop");
    snapshot.logs[logKey(SL_POD, "kserve-container", true)] =
      'Traceback (most recent call last):\n  File "<frozen runpy>", line 198, in _run_module_as_main\nModuleNotFoundError: No module named \'orjson\'\n';
    const [first] = diagnose(snapshot);
    assert.strictEqual(first.cause, "crash-loop");
    assert.ok(first.evidence.includes("ModuleNotFoundError: No module named 'orjson'"));
    assert.match(first.fix, /app\/requirements\.txt/);
  });

  it("with the stack's config, the fix quotes its values", () => {
    const facts = { stack: "dev", nodeRoleAccess: { enabled: false, roleNames: [], nodeGroups: [] }, pullSecretEnabled: false };
    const [first] = diagnose(loadSnapshot("image-pull-auth"), facts);
    assert.match(first.fix, /`model-serving:nodeRoleAccess\.enabled` is false/);
    assert.match(first.fix, /`model-serving:pullSecret\.enabled` is false/);
    const [notFound] = diagnose(loadSnapshot("image-not-found"), { stack: "dev" });
    assert.match(notFound.fix, /`model-serving:image` is unset/);
  });

  it("a missing InferenceService and an empty namespace give no findings and do not throw", () => {
    const empty: Snapshot = { inferenceService: null, pods: [], events: [], logs: {} };
    assert.deepStrictEqual(diagnose(empty), []);
  });
});
