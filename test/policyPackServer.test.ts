// The policy pack as the Pulumi engine runs it: @pulumi/policy's runner in policy/, over gRPC.
import * as assert from "assert";
import { AnalyzeRequest, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { dockerConfigJson, pullSecretManifest } from "../core/manifests";
import { INFERENCE_SERVICE_TYPE, policies, SECRET_TYPE } from "../policy/policies";
import { settingsWith } from "./helpers/config";
import { ECR_PASSWORD, REGISTRY } from "./helpers/mocks";
import { devSettings, isvc, PROGRAM_ISVC_URN, readFixture, ROOT } from "./helpers/policyHarness";

/** A module as @pulumi/pulumi itself loads it (gRPC and protobuf are its dependencies, not ours). */
function pulumiDependency(name: string): any {
  return require(require.resolve(name, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));
}

describe("policy pack kserve-guardrails, as the Pulumi engine runs it (run-policy-pack in policy/, over gRPC)", function () {
  this.timeout(60000);
  const grpc = pulumiDependency("@grpc/grpc-js");
  const { Struct } = pulumiDependency("google-protobuf/google/protobuf/struct_pb");
  const { Empty } = pulumiDependency("google-protobuf/google/protobuf/empty_pb");
  const { AnalyzerClient } = pulumiDependency("@pulumi/pulumi/proto/analyzer_grpc_pb");
  let pack: ChildProcess | undefined;
  let client: any;

  /** Starts the pack as `pulumi preview --policy-pack policy` does; it prints the port it serves on. */
  before(async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: path.join(ROOT, "policy") });
    pack = child;
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) {
          resolve(match[1]);
        }
      });
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stdout}${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    pack?.kill();
  });

  function rpc<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));
  }

  /** The engine's Analyze call: properties as a protobuf Struct, resource options alongside. */
  async function analyze(type: string, props: object, additionalSecretOutputs: string[] = [], urn = `urn:pulumi:dev::model-serving::${type}::resource`): Promise<{ policy: string; mandatory: boolean; message: string }[]> {
    const request = new AnalyzeRequest();
    request.setType(type);
    request.setUrn(urn);
    request.setName("resource");
    request.setProperties(Struct.fromJavaScript(props));
    const options = new AnalyzerResourceOptions();
    options.setAdditionalsecretoutputsList(additionalSecretOutputs);
    request.setOptions(options);
    const response: any = await rpc("analyze", request);
    // EnforcementLevel: 0 advisory, 1 mandatory.
    return response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), mandatory: d.getEnforcementlevel() === 1, message: d.getMessage() }));
  }

  it("loads from policy/ and names its policies", async () => {
    const info: any = await rpc("getAnalyzerInfo", new Empty());
    assert.strictEqual(info.getName(), "kserve-guardrails");
    assert.deepStrictEqual(info.getPoliciesList().map((p: any) => p.getName()), policies.map((p) => p.name));
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
