// The policy pack stands alone: its folder (package.json, PulumiPolicy.yaml and the compiled bin/)
// copied to an empty folder, installed there with its own dependencies only, serves the engine's
// gRPC calls and refuses the lab's manifest, as `pulumi preview --policy-pack <folder>` runs it.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPolicyPack, PolicyPackClient, startPolicyPack } from "./helpers/policyPackClient";
import { readFixture, ROOT } from "./helpers/policyHarness";
import { run } from "./helpers/runProcess";
import { INFERENCE_SERVICE_TYPE } from "../policy/policies";

describe("policy pack kserve-guardrails, alone in an empty folder with its own install", function () {
  this.timeout(300000);
  let dir: string;
  let pack: PolicyPackClient | undefined;

  before(async () => {
    await buildPolicyPack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kserve-guardrails-"));
    for (const name of ["package.json", "PulumiPolicy.yaml", "bin"]) {
      fs.cpSync(path.join(ROOT, "policy", name), path.join(dir, name), { recursive: true });
    }
    // npm's cache already holds these packages after the project's own `npm ci`.
    const installed = await run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], dir, 240000);
    assert.strictEqual(installed.status, 0, installed.stdout + installed.stderr);
  });

  after(() => {
    pack?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("needs nothing outside its folder: only @pulumi/policy and @pulumi/pulumi are installed beside it", () => {
    const own = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    assert.deepStrictEqual(Object.keys(own.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi"]);
    assert.ok(!fs.existsSync(path.join(dir, "node_modules/zod")), "zod is the program's, not the pack's");
  });

  it("serves the engine from the copy and refuses the lab's version 11 manifest", async () => {
    pack = await startPolicyPack(dir, path.join(dir, "node_modules"));
    assert.strictEqual(await pack.name(), "kserve-guardrails");
    const lab = await pack.analyze(INFERENCE_SERVICE_TYPE, readFixture("lab-v11-inferenceservice.yaml"));
    assert.deepStrictEqual([...new Set(lab.filter((d) => d.mandatory).map((d) => d.policy))].sort(), ["kserve-container-not-root", "kserve-image-pinned-by-digest", "kserve-probes-present"]);
  });
});
