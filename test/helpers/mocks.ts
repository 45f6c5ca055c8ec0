// Pulumi mocks that record every registered resource and answer the provider functions the
// program calls with the state AWS and Kubernetes would return. Anything else throws: a call
// nobody expected is a bug, not something to paper over.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export const ACCOUNT = "123456789012";
export const REGION = "ap-northeast-2";
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const ECR_PASSWORD = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItdG9rZW4ifQ==";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  id?: string;
}

export interface RecordedOptions {
  type: string;
  name: string;
  opts: pulumi.CustomResourceOptions;
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: { token: string; inputs: Record<string, any> }[] = [];
  /** Node groups that exist, by cluster: `getNodeGroup` of anything else fails as AWS would. */
  nodeGroups: Record<string, string[]> = { "kubeflow-lab": ["kubeflow-lab-nodes"], "ml-prod": ["ml-prod-nodes"] };

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider, id: args.id });
    const inputs = args.inputs;
    if (!args.custom && /^(model-serving|test):/.test(args.type)) {
      return { id: undefined, state: {} }; // this program's own components
    }
    switch (args.type) {
      case "aws:ecr/repository:Repository":
        return {
          id: inputs.name,
          state: {
            ...inputs,
            arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${inputs.name}`,
            registryId: ACCOUNT,
            repositoryUrl: `${REGISTRY}/${inputs.name}`,
          },
        };
      case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
        return { id: inputs.repository, state: { ...inputs, registryId: ACCOUNT } };
      case "docker:index/image:Image": {
        const repository = String(inputs.imageName).replace(/:[^:/]+$/, "");
        return {
          id: `${inputs.imageName}-${sha256(inputs.imageName).slice(0, 8)}`,
          state: { ...inputs, baseImageName: inputs.imageName, registryServer: REGISTRY, repoDigest: `${repository}@sha256:${sha256(inputs.imageName)}` },
        };
      }
      case "random:index/randomId:RandomId": {
        // Deterministic per keepers, as a stored RandomId is until its keepers change.
        const hex = sha256(JSON.stringify(inputs.keepers ?? {}) + args.name).slice(0, 2 * inputs.byteLength);
        return { id: Buffer.from(hex, "hex").toString("base64url"), state: { ...inputs, hex, dec: BigInt(`0x${hex}`).toString(), b64Url: Buffer.from(hex, "hex").toString("base64url") } };
      }
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        return { id: `${inputs.role}-${sha256(inputs.policyArn).slice(0, 8)}`, state: inputs };
      case "aws:iam/role:Role":
        return { id: `${args.name}-7f3a2b1`, state: { ...inputs, name: `${args.name}-7f3a2b1`, arn: `arn:aws:iam::${ACCOUNT}:role/${args.name}-7f3a2b1` } };
      case "eks:index:Cluster": {
        // A remote component: the mock returns the outputs the program reads.
        const endpoint = `https://${sha256(inputs.name).slice(0, 32).toUpperCase()}.gr7.${REGION}.eks.amazonaws.com`;
        const kubeconfig = {
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: inputs.name, cluster: { server: endpoint, "certificate-authority-data": "Q0E=" } }],
          contexts: [{ name: "aws", context: { cluster: inputs.name, user: "aws" } }],
          "current-context": "aws",
          users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", inputs.name] } } }],
        };
        return { id: undefined, state: { kubeconfig, kubeconfigJson: JSON.stringify(kubeconfig), clusterSecurityGroupId: "sg-0c1a2b3c4d5e6f708", oidcIssuer: `${endpoint}/id/ABC` } };
      }
      case "eks:index:ManagedNodeGroup":
        return { id: undefined, state: {} };
      case "kubernetes:helm.sh/v3:Release":
        return { id: `${inputs.namespace}/${args.name}`, state: { ...inputs, status: { status: "deployed", version: inputs.version, namespace: inputs.namespace } } };
      case "pulumi:providers:kubernetes":
        return { id: `${args.name}-provider-id`, state: inputs };
      case "kubernetes:core/v1:Namespace":
        if (args.id) {
          // A read of an existing namespace (adoption).
          return { id: args.id, state: { apiVersion: "v1", kind: "Namespace", metadata: { name: args.id, labels: { "app.kubernetes.io/part-of": "kubeflow-profile" } }, status: { phase: "Active" } } };
        }
        return { id: inputs.metadata.name, state: { ...inputs, status: { phase: "Active" } } };
      case "kubernetes:core/v1:Secret":
        return { id: `${inputs.metadata.namespace}/${inputs.metadata.name}`, state: inputs };
      case "kubernetes:serving.kserve.io/v1beta1:InferenceService": {
        // What the provider returns right after the apply, as seen on a real cluster: the object
        // at its new generation, with no status yet (the rollout watch reads the rest).
        const { name, namespace } = inputs.metadata;
        return { id: `${namespace}/${name}`, state: { ...inputs, metadata: { ...inputs.metadata, generation: 1 }, status: {} } };
      }
      default:
        throw new Error(`unexpected resource type ${args.type} (${args.name})`);
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    this.calls.push({ token: args.token, inputs: args.inputs });
    switch (args.token) {
      case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
        const registryId = args.inputs.registryId ?? ACCOUNT;
        return {
          id: REGION,
          region: REGION,
          registryId,
          userName: "AWS",
          password: ECR_PASSWORD,
          authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64"),
          proxyEndpoint: `https://${registryId}.dkr.ecr.${REGION}.amazonaws.com`,
          expiresAt: "2026-11-27T12:00:00Z",
        };
      }
      case "aws:eks/getCluster:getCluster":
        return {
          id: args.inputs.name,
          name: args.inputs.name,
          arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${args.inputs.name}`,
          endpoint: `https://${sha256(args.inputs.name).slice(0, 32).toUpperCase()}.gr7.${REGION}.eks.amazonaws.com`,
          certificateAuthorities: [{ data: Buffer.from(`CA of ${args.inputs.name}`).toString("base64") }],
          version: "1.31",
          status: "ACTIVE",
        };
      case "aws:ec2/getVpc:getVpc":
        return { id: "vpc-0d1e2f3a4b5c6d7e8", arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0d1e2f3a4b5c6d7e8`, cidrBlock: "172.31.0.0/16", default: true };
      case "aws:ec2/getSubnets:getSubnets": {
        const vpcFilter = (args.inputs.filters ?? []).find((f: any) => f.name === "vpc-id");
        if (!vpcFilter || vpcFilter.values[0] !== "vpc-0d1e2f3a4b5c6d7e8") {
          throw new Error(`getSubnets: expected a vpc-id filter for the default VPC, got ${JSON.stringify(args.inputs.filters)}`);
        }
        return { id: REGION, ids: ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829", "subnet-0c3d4e5f607182930"] };
      }
      case "aws:eks/getNodeGroup:getNodeGroup": {
        const { clusterName, nodeGroupName } = args.inputs;
        if (!(this.nodeGroups[clusterName] ?? []).includes(nodeGroupName)) {
          throw new Error(`ResourceNotFoundException: No node group found for name: ${nodeGroupName}.`);
        }
        return {
          id: `${clusterName}:${nodeGroupName}`,
          clusterName,
          nodeGroupName,
          nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/eksctl-${clusterName}-nodegroup-NodeInstanceRole-1A2B3C`,
          status: "ACTIVE",
        };
      }
      default:
        throw new Error(`unexpected call ${args.token}`);
    }
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  one(type: string): RecordedResource {
    const found = this.ofType(type);
    if (found.length !== 1) {
      throw new Error(`expected one ${type}, registered ${found.length}`);
    }
    return found[0];
  }
}

/**
 * Installs fresh recording mocks for a stack; returns them. Registration is checked as in a
 * preview unless `update` is set: an update also watches the rollout (components/rolloutWatch.ts),
 * which needs a cluster (the tests give it a loopback API server through `kubernetes:kubeconfig`).
 */
export async function useMocks(stack = "dev", config: Record<string, string> = {}, update = false): Promise<RecordingMocks> {
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, "model-serving", stack, !update);
  pulumi.runtime.setAllConfig(config);
  return mocks;
}

/** A transformation that records the options each resource is registered with. */
export function recordOptions(into: RecordedOptions[]): pulumi.ResourceTransformation {
  return (args) => {
    into.push({ type: args.type, name: args.name, opts: args.opts as pulumi.CustomResourceOptions });
    return undefined;
  };
}

/** The value of an output, once known; fails (rather than hangs) if it never resolves, e.g. after a mock threw. */
export function valueOf<T>(output: pulumi.Output<T>, timeoutMs = 10000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`output did not resolve within ${timeoutMs} ms (did a mock throw?)`)), timeoutMs);
    output.apply((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** How an output settles: its value, or the error it rejects with (valueOf would wait forever). */
export async function outcome<T>(output: pulumi.Output<T>, timeoutMs = 20000): Promise<{ value?: T; error?: Error }> {
  // promise() is the SDK's own (untyped) way to await an output, rejections included.
  const settled = (output as unknown as { promise(): Promise<T> }).promise().then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`output did not settle within ${timeoutMs} ms`)), timeoutMs));
  return Promise.race([settled, timeout]);
}

/** Whether an output's value is known (false for the unknowns of a preview). */
export function isKnown<T>(output: pulumi.Output<T>): Promise<boolean> {
  return (output as unknown as { isKnown: Promise<boolean> }).isKnown;
}

/** Whether an output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(output);
}

/** Lets pending registrations (those waiting on invokes) reach the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A registered input as the engine receives it: a secret arrives wrapped, and so marked. */
export function unwrapSecret(value: any): { secret: boolean; value: any } {
  if (value && typeof value === "object" && value[specialSigKey] === specialSecretSig) {
    return { secret: true, value: value.value };
  }
  return { secret: false, value };
}
