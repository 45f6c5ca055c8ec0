// A Kubernetes provider for an EKS cluster found by name, so that CI needs only AWS
// credentials: the kubeconfig authenticates with `aws eks get-token`.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export function eksKubeconfig(clusterName: string, endpoint: string, certificateAuthority: string, region?: string): string {
  const args = ["eks", "get-token", "--cluster-name", clusterName, "--output", "json", ...(region ? ["--region", region] : [])];
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args } } }],
  });
}

/** A provider for the named EKS cluster, and its kubeconfig (for reading the cluster with the same credentials). */
export function eksClusterProvider(
  name: string,
  clusterName: string,
  region: string | undefined,
  parent: pulumi.Resource,
): { provider: k8s.Provider; kubeconfig: pulumi.Output<string> } {
  const cluster = aws.eks.getClusterOutput({ name: clusterName }, { parent });
  const kubeconfig = pulumi
    .all([cluster.endpoint, cluster.certificateAuthorities])
    .apply(([endpoint, authorities]) => eksKubeconfig(clusterName, endpoint, authorities[0].data, region));
  return { provider: new k8s.Provider(name, { kubeconfig }, { parent }), kubeconfig };
}
