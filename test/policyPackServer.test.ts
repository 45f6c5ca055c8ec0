// The policy pack as the Pulumi engine runs it: @pulumi/policy's runner in policy/, over gRPC.
import * as assert from "assert";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as path from "path";
import { dockerConfigJson, pullSecretManifest } from "../core/manifests";
import { INFERENCE_SERVICE_TYPE, policies, SECRET_TYPE } from "../policy/policies";
import { settingsWith } from "./helpers/config";
import { ECR_PASSWORD, REGISTRY } from "./helpers/mocks";
import { buildPolicyPack, PolicyPackClient, startPolicyPack } from "./helpers/policyPackClient";
import { devSettings, isvc, PROGRAM_ISVC_URN, readFixture, ROOT } from "./helpers/policyHarness";

describe("policy pack kserve-guardrails, as the Pulumi engine runs it (run-policy-pack in policy/, over gRPC)", function () {
  this.timeout(60000);
  let pack: PolicyPackClient | undefined;

  /** Builds the pack (bin/, as `npm ci` does) and starts it as `pulumi preview --policy-pack policy` does. */
  before(async () => {
    await buildPolicyPack();
    pack = await startPolicyPack(path.join(ROOT, "policy"));
  });

  after(() => pack?.close());

  const analyze = (type: string, props: object, additionalSecretOutputs: string[] = [], urn?: string) => pack!.analyze(type, props, additionalSecretOutputs, urn);

  it("loads from policy/ and names its policies", async () => {
    assert.strictEqual(await pack!.name(), "kserve-guardrails");
    assert.deepStrictEqual(await pack!.policyNames(), policies.map((p) => p.name));
  });

  it("refuses the lab's version 11 manifest and passes the program's dev manifest", async () => {
    const lab = await analyze(INFERENCE_SERVICE_TYPE, readFixture("lab-v11-inferenceservice.yaml"));
    assert.deepStrictEqual([...new Set(lab.filter((d) => d.mandatory).map((d) => d.policy))].sort(), ["kserve-container-not-root", "kserve-image-pinned-by-digest", "kserve-probes-present"]);
    assert.deepStrictEqual(await analyze(INFERENCE_SERVICE_TYPE, isvc(devSettings()), [], PROGRAM_ISVC_URN), []);
  });

  it("on a first preview (the image not built, its digest unknown) says the digest rule must wait for `pulumi up`", async () => {
    const diagnostics = await analyze(INFERENCE_SERVICE_TYPE, isvc(devSettings(), unknownValue), [], PROGRAM_ISVC_URN);
    assert.deepStrictEqual(diagnostics.map(({ policy, mandatory }) => ({ policy, mandatory })), [{ policy: "kserve-image-pinned-by-digest", mandatory: false }]);
    assert.match(diagnostics[0].message, /can't run policy 'kserve-image-pinned-by-digest' .* during preview: string value at \.spec\.predictor\.containers\.0\.image can't be known during preview/);
  });

  it("a value sent as a secret does not count (the policy gets it unwrapped): only additionalSecretOutputs does", async () => {
    // The engine's wire form of a secret value.
    const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
    const props = { ...structuredClone(pullSecretManifest(settingsWith(), "{}")), stringData: secret({ ".dockerconfigjson": dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD) }) };
    assert.deepStrictEqual((await analyze(SECRET_TYPE, props)).map(({ policy, mandatory }) => ({ policy, mandatory })), [{ policy: "pull-secret-dockerconfigjson-secret", mandatory: true }]);
    assert.deepStrictEqual(await analyze(SECRET_TYPE, props, ["data", "stringData"]), []);
  });
});
