// npm run e2e: the program through the real Pulumi engine against a real cluster with KServe.
// Needs KUBECONFIG, a Docker engine, the Pulumi CLI on PATH and a registry the cluster pulls from
// (E2E_REGISTRY, default 127.0.0.1:5000). Builds the image from app/, then runs the scenarios and
// prints their timings; exits non-zero on any failure. See the README's "Proving it on a cluster".
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { parseSettings } from "../core/config/settings";
import { collectSnapshot } from "../cluster/collect";
import { canaryServiceName } from "../core/canary";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { Cluster } from "./cluster";
import { buildAndPush } from "./image";
import { Context, MODEL, PORT, Scenarios, Timing } from "./scenarios";
import { CanaryScenarios } from "./canaryScenarios";
import { KNATIVE_DEV_NAMESPACE, KNATIVE_FAILED_NAMESPACE, KNATIVE_MISSING_NAMESPACE, KNATIVE_NAMESPACE, KNATIVE_SLOW_NAMESPACE, KNATIVE_ZERO_NAMESPACE, KnativeScenarios } from "./knativeScenarios";
import { CLI_NAMESPACE, CliScenarios } from "./cli";
import { SLOW_NAMESPACE, slowStartDeploys } from "./slowStart";
import { E2EStacks } from "./stacks";
import { timingTable } from "./timingTable";

const ROOT = path.resolve(__dirname, "..");
const NAMESPACES = ["e2e-created", "e2e-missing", "e2e-adopted", SLOW_NAMESPACE, CLI_NAMESPACE, KNATIVE_NAMESPACE, KNATIVE_MISSING_NAMESPACE, KNATIVE_SLOW_NAMESPACE, KNATIVE_ZERO_NAMESPACE, KNATIVE_DEV_NAMESPACE, KNATIVE_FAILED_NAMESPACE];

function preflight(): void {
  if (!process.env.KUBECONFIG) throw new Error("set KUBECONFIG to the cluster to test (one with KServe and a registry it pulls from)");
  for (const [tool, args] of [["pulumi", ["version"]], ["docker", ["version", "--format", "{{.Server.Version}}"]]] as const) {
    try {
      execFileSync(tool, args, { stdio: "pipe", timeout: 30000 });
    } catch (e) {
      throw new Error(`${tool} ${args.join(" ")} failed (${e instanceof Error ? e.message.split("\n")[0] : e}): the e2e needs the ${tool === "pulumi" ? "Pulumi CLI on PATH" : "Docker engine"}`);
    }
  }
}

/** Saves what the cluster shows (for the unit tests' fake API: real objects, not invented ones). */
function recorder(api: KubeApi, dir: string | undefined) {
  return async (name: string, namespace: string): Promise<void> => {
    if (!dir) return;
    const snapshot = await collectSnapshot(api, { name: MODEL, namespace });
    const get = (p: string) => api.getJson<any>(p).catch(() => null);
    // The stable's objects and the Standard-mode canary InferenceService's.
    const selector = encodeURIComponent(`serving.kserve.io/inferenceservice in (${MODEL},${canaryServiceName(MODEL)})`);
    const deployments = await get(`/apis/apps/v1/namespaces/${namespace}/deployments?labelSelector=${selector}`);
    const replicaSets = await get(`/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${selector}`);
    // Knative mode: the Revisions (what each runs), as the watch reads them.
    const revisions = await get(`/apis/serving.knative.dev/v1/namespaces/${namespace}/revisions`);
    const knativeServices = await get(`/apis/serving.knative.dev/v1/namespaces/${namespace}/services`);
    fs.mkdirSync(dir, { recursive: true });
    const recorded = { ...snapshot, deployments: deployments?.items ?? [], replicaSets: replicaSets?.items ?? [], knativeRevisions: revisions?.items ?? [], knativeServices: knativeServices?.items ?? [] };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(recorded, null, 2) + "\n");
  };
}

/** Every wait inside is bounded; this bounds the whole run too, should the engine itself hang. */
const WHOLE_RUN_MS = 40 * 60 * 1000;

async function main(): Promise<number> {
  setTimeout(() => {
    console.error(`e2e: not finished after ${WHOLE_RUN_MS / 60000} minutes; giving up (namespaces ${NAMESPACES.join(", ")} may be left)`);
    process.exit(1);
  }, WHOLE_RUN_MS).unref();
  process.chdir(ROOT);
  preflight();
  const api = new KubeApi(loadKubeConfig());
  const cluster = new Cluster(api);
  await api.getJson("/apis/serving.kserve.io/v1beta1").catch((e) => {
    throw new Error(`the cluster has no KServe v1beta1 API (${e.message}): install KServe first`);
  });
  const registry = process.env.E2E_REGISTRY ?? "127.0.0.1:5000";
  const log = (line: string) => console.log(line);

  // Leftovers of an interrupted run would collide with the stacks' namespaces.
  for (const ns of NAMESPACES) await cluster.deleteNamespace(ns);
  for (const ns of NAMESPACES) await cluster.untilNamespaceGone(ns, 120000, `namespace ${ns} from an earlier run to go`);

  const build = parseSettings({ "model-serving:port": PORT, "model-serving:nodeRoleAccess": { enabled: false } }, { stack: "e2e", projectDir: ROOT });
  log(`building ${build.build.context} (${build.build.dockerfile}, ${build.build.platform}) and pushing to ${registry}…`);
  const image = await buildAndPush(registry, build);
  log(`image ${image.digestRef}`);
  const timings: Timing[] = [
    { what: "docker build", ms: image.buildMs },
    { what: "docker push", ms: image.pushMs },
  ];
  const stacks = new E2EStacks();
  const ctx: Context = { api, cluster, stacks, image: image.digestRef, timings, log };
  const s = new Scenarios(ctx);
  const record = recorder(api, process.env.E2E_RECORD_DIR);
  const c = new CanaryScenarios(ctx, () => s.mainStack(), s.mainNamespace);
  const cli = new CliScenarios(ctx);
  const k = new KnativeScenarios(ctx);
  const scenarios: [string, () => Promise<void>][] = [
    ["1. preview of a new stack lists what it will create", () => s.previewNewStack()],
    ["2. up → serving: exact digest, uid 10001, port, probes, resources, security; verify; outputs", () => s.firstUp(record)],
    ["3. up again changes nothing", () => s.noOpUp()],
    ["4. a good update rolls out and up waits for the new pods", () => s.goodUpdate()],
    ["5. a crash-looping update fails up with the cause; old pods serve; verify fails", () => s.badUpdate(record)],
    ["5b. a readiness path that does not exist fails up at once naming probes.readiness.path; old pods serve", () => s.wrongProbePath(record)],
    ["9. new server code goes out as a 20 % canary InferenceService beside the untouched stable; verify --canary and verify", () => c.canaryUp(record)],
    ["10. promote --analyze promotes a good canary: measured, then a rolling update with no failed request", () => c.analyzeAndPromote()],
    ["11a. promote --analyze rolls back a canary that answers 5xx; the stable never fails a request", () => c.analyzeAndRollBack("errors")],
    ["11b. promote --analyze rolls back a canary slower than the threshold", () => c.analyzeAndRollBack("slow")],
    ["11d. a new model version as a canary: promote --analyze promotes it; the stable Service then answers with its model_version", () => c.newModel()],
    ["11c. a crash-looping canary fails up while the stable serves; rollback leaves the stable untouched", () => c.crashingCanary(record)],
    ["6. a first deploy of a missing digest fails fast with image-not-found", () => s.missingDigest(record)],
    ["7. destroy removes a created namespace", () => s.destroyCreated()],
    ["7/8. adopted namespace + legacy mode name: serves; destroy keeps the namespace and its labels", () => s.adoptedNamespace()],
    ["12. an image that listens only after a delay within its startup budget deploys (no false alarm)", () => slowStartDeploys(ctx, record)],
    ["13. CLI: pulumi stack init and the stack file", () => cli.init()],
    ["14. CLI: pulumi preview --diff --policy-pack policy, and a plain preview", () => cli.preview()],
    ["15. CLI: pulumi up --yes --policy-pack policy → serving, then a no-op up", () => cli.up()],
    ["15b. CLI: a canary by pulumi up, then npm run promote -- --analyze --json promotes it and writes the stack file", () => cli.promoteAnalyzed()],
    ["16. CLI: a mandatory policy violation stops pulumi preview with the rule's message", () => cli.policyViolation()],
    ["17. CLI: pulumi destroy --yes", () => cli.destroy()],
    ["K1. Knative: first up → serving through the ingress; verify", () => k.firstUp(record)],
    ["K2. Knative: up again changes nothing", () => k.noOpUp()],
    ["K2b. Knative: a good update makes a new Revision and up waits for its pods", () => k.goodUpdate()],
    ["K3. Knative: a crash-looping update fails up with the cause; the old Revision answers every request", () => k.badUpdate(record)],
    ["K3b. Knative: a readiness path that does not exist fails up at once with the 404 queue-proxy saw; the old Revision answers every request", () => k.wrongProbePath(record)],
    ["K4. Knative: a 20 % canary measured through the ingress; verify --canary and verify test different Revisions", () => k.canary(record)],
    ["K5. Knative: rollback never sends more than the canary's share to the canary", () => k.rollback()],
    ["K5b. Knative: promote --analyze measures the canary Revision against the stable one and promotes it; no failed request", () => k.analyzeAndPromote()],
    ["K6. Knative: destroy within a minute", () => k.destroy()],
    ["K7. Knative: a first deploy of a missing digest fails fast with image-not-found", () => k.missingDigest()],
    ["K7b. Knative: a first deploy that exits at start fails up; after the progress deadline its pods are gone and verify names revision-failed", () => k.revisionFailed(record)],
    ["K8. Knative: an image that listens only after 25 s deploys (no false alarm)", () => k.slowStart()],
    ["K10. Knative: the dev stack (the lab's settings, only its AWS ties overridden) into an adopted namespace: serves through the ingress; destroy keeps the namespace", () => k.devStack()],
    ["K9. Knative: scale to zero; up on it is a no-op; verify wakes it through the ingress and reports the cold start", () => k.scaleToZero()],
  ];
  // E2E_ONLY (a regular expression) runs the scenarios whose names match it: for working on one.
  const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
  const failures: string[] = [];
  const chosen = scenarios.filter(([name]) => !only || only.test(name));
  for (const [name, scenario] of chosen) {
    const start = Date.now();
    try {
      await scenario();
      log(`PASS ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failures.push(name);
      log(`FAIL ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)\n  ${e instanceof Error ? e.message.split("\n").join("\n  ") : String(e)}`);
    }
  }
  await cli.cleanup();
  for (const ns of NAMESPACES) await cluster.deleteNamespace(ns).catch(() => undefined);
  stacks.cleanup();
  log(`\n${timingTable(timings)}\n`);
  log(`${chosen.length - failures.length} passed, ${failures.length} failed`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`e2e: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
