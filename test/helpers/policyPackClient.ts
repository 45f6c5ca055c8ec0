// The Pulumi engine's side of a policy pack: start the pack with @pulumi/pulumi's runner (as
// `pulumi preview --policy-pack DIR` does; it prints the port it serves on) and call it over gRPC.
import { spawn } from "child_process";
import * as path from "path";
import { AnalyzeRequest, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { ROOT, run } from "./runProcess";

let built: Promise<void> | undefined;

/** Compiles the pack into policy/bin, as `npm ci` does; once per test run, however many suites ask. */
export function buildPolicyPack(): Promise<void> {
  built ??= run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "policy"], ROOT, 120000).then((r) => {
    if (r.status !== 0) throw new Error(`tsc -p policy failed:\n${r.stdout}${r.stderr}`);
  });
  return built;
}

/** A module as @pulumi/pulumi itself loads it (gRPC and protobuf are its dependencies, not ours). */
function pulumiDependency(name: string): any {
  return require(require.resolve(name, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));
}

export interface Diagnostic {
  policy: string;
  mandatory: boolean;
  message: string;
}

export interface PolicyPackClient {
  name(): Promise<string>;
  policyNames(): Promise<string[]>;
  /** The engine's Analyze call: properties as a protobuf Struct, resource options alongside. */
  analyze(type: string, props: object, additionalSecretOutputs?: string[], urn?: string): Promise<Diagnostic[]>;
  close(): void;
}

/** Starts the pack in `packDir` with the runner of the @pulumi/pulumi under `nodeModules` (default: ours). */
export async function startPolicyPack(packDir: string, nodeModules?: string): Promise<PolicyPackClient> {
  const grpc = pulumiDependency("@grpc/grpc-js");
  const { Struct } = pulumiDependency("google-protobuf/google/protobuf/struct_pb");
  const { Empty } = pulumiDependency("google-protobuf/google/protobuf/empty_pb");
  const { AnalyzerClient } = pulumiDependency("@pulumi/pulumi/proto/analyzer_grpc_pb");
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", nodeModules ? { paths: [nodeModules] } : undefined);
  const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: packDir });
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const match = /^(\d+)\s*$/m.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stdout}${stderr}`)));
  });
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const rpc = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));
  const info = () => rpc<any>("getAnalyzerInfo", new Empty());
  return {
    name: async () => (await info()).getName(),
    policyNames: async () => (await info()).getPoliciesList().map((p: any) => p.getName()),
    analyze: async (type, props, additionalSecretOutputs = [], urn = `urn:pulumi:dev::model-serving::${type}::resource`) => {
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
    },
    close: () => {
      client.close();
      child.kill();
    },
  };
}
