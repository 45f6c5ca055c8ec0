import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const ECR_READ_ONLY_POLICY_ARN = aws.iam.ManagedPolicy.AmazonEC2ContainerRegistryReadOnly;

export interface NodeRoleEcrAccessArgs {
  /** IAM role names of the nodes. @default [] */
  readonly roleNames?: string[];
  /** EKS managed node group names, resolved to their node roles. Needs `clusterName`. @default [] */
  readonly nodeGroups?: string[];
  readonly clusterName?: string;
}

/** The role name at the end of an IAM role ARN (arn:aws:iam::123:role/path/name → name). */
export function roleNameFromArn(arn: string): string {
  const match = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!match) {
    throw new Error(`"${arn}" is not an IAM role ARN`);
  }
  return match[1];
}

/**
 * Lets the nodes pull from ECR: AmazonEC2ContainerRegistryReadOnly on each node role. Node roles
 * are shared by the whole cluster, so the attachment is kept on destroy: detaching it would
 * break every image pull on the cluster, not just this stack's.
 */
export class NodeRoleEcrAccess extends pulumi.ComponentResource {
  public readonly roleNames: pulumi.Output<string[]>;

  constructor(name: string, args: NodeRoleEcrAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:iam:NodeRoleEcrAccess", name, {}, opts);
    const nodeGroups = args.nodeGroups ?? [];
    if (nodeGroups.length > 0 && !args.clusterName) {
      throw new Error("NodeRoleEcrAccess: nodeGroups need clusterName to be looked up");
    }
    const roles: { label: string; role: pulumi.Input<string> }[] = (args.roleNames ?? []).map((role) => ({ label: role, role }));
    for (const nodeGroupName of nodeGroups) {
      const group = aws.eks.getNodeGroupOutput({ clusterName: args.clusterName!, nodeGroupName }, { parent: this });
      roles.push({ label: `ng-${nodeGroupName}`, role: group.nodeRoleArn.apply(roleNameFromArn) });
    }
    const attachments = roles.map(
      ({ label, role }) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${label}`,
          { role, policyArn: ECR_READ_ONLY_POLICY_ARN },
          { parent: this, retainOnDelete: true },
        ),
    );
    this.roleNames = pulumi.all(attachments.map((a) => a.role));
    this.registerOutputs({ roleNames: this.roleNames });
  }
}
