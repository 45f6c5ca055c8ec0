import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ECR_READ_ONLY_POLICY_ARN } from "./nodeRoleEcrAccess";

/** What an EKS worker node's role needs; the last lets it pull the model image from ECR. */
export const NODE_ROLE_POLICY_ARNS = [
  aws.iam.ManagedPolicy.AmazonEKSWorkerNodePolicy,
  aws.iam.ManagedPolicy.AmazonEKS_CNI_Policy,
  ECR_READ_ONLY_POLICY_ARN,
];

export interface LabClusterArgs {
  /** EKS cluster name. */
  readonly name: string;
  /** Kubernetes version, e.g. "1.33". */
  readonly version: string;
  readonly instanceType: string;
  readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
  /** Unset: the account's default VPC and its default subnets. */
  readonly vpcId?: string;
  readonly subnetIds?: string[];
}

/** The default VPC and its default-for-AZ subnets. */
function defaultNetwork(parent: pulumi.Resource): { vpcId: pulumi.Output<string>; subnetIds: pulumi.Output<string[]> } {
  const vpc = aws.ec2.getVpcOutput({ default: true }, { parent });
  const subnets = aws.ec2.getSubnetsOutput(
    { filters: [{ name: "vpc-id", values: [vpc.id] }, { name: "default-for-az", values: ["true"] }] },
    { parent },
  );
  return { vpcId: vpc.id, subnetIds: subnets.ids };
}

/**
 * A lab's own EKS cluster: the control plane, one managed node group whose role carries the
 * ECR read-only policy, and a Kubernetes provider for it. Everything is deleted on destroy.
 */
export class LabCluster extends pulumi.ComponentResource {
  public readonly cluster: eks.Cluster;
  public readonly nodeGroup: eks.ManagedNodeGroup;
  public readonly nodeRole: aws.iam.Role;
  public readonly provider: k8s.Provider;
  public readonly clusterName: string;

  constructor(name: string, args: LabClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:lab:LabCluster", name, {}, opts);
    const network = args.vpcId && args.subnetIds?.length ? { vpcId: args.vpcId, subnetIds: args.subnetIds } : defaultNetwork(this);

    this.nodeRole = new aws.iam.Role(
      `${name}-nodes`,
      { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }) },
      { parent: this },
    );
    const attachments = NODE_ROLE_POLICY_ARNS.map(
      (policyArn) => new aws.iam.RolePolicyAttachment(`${name}-nodes-${policyArn.split("/").pop()}`, { role: this.nodeRole.name, policyArn }, { parent: this }),
    );

    this.clusterName = args.name;
    this.cluster = new eks.Cluster(
      name,
      {
        name: args.name,
        version: args.version,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        // Access entries: EKS admits a managed node group's role by itself.
        authenticationMode: eks.AuthenticationMode.Api,
        skipDefaultNodeGroup: true,
      },
      { parent: this },
    );
    this.nodeGroup = new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster: this.cluster,
        nodeRole: this.nodeRole,
        instanceTypes: [args.instanceType],
        subnetIds: network.subnetIds,
        scalingConfig: { minSize: args.nodes.min, desiredSize: args.nodes.desired, maxSize: args.nodes.max },
      },
      { parent: this, dependsOn: attachments },
    );
    this.provider = new k8s.Provider(name, { kubeconfig: this.cluster.kubeconfigJson }, { parent: this });
    this.registerOutputs({ clusterName: this.clusterName });
  }
}
