import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** KServe's version: the one whose CRD the manifests are validated against (../shared/kserve). */
export const KSERVE_VERSION = "v0.20.0";
export const CERT_MANAGER_VERSION = "v1.17.2";
export const KSERVE_NAMESPACE = "kserve";

export interface KServeInstallArgs {
  /** Resources that must exist first, e.g. the node group the controllers run on. */
  readonly after?: pulumi.Input<pulumi.Resource>[];
}

/**
 * KServe in RawDeployment mode, so neither Knative nor Istio is needed: cert-manager (its
 * webhook certificates), the CRDs, then the controller. Each release waits for its pods.
 */
export class KServeInstall extends pulumi.ComponentResource {
  public readonly certManager: k8s.helm.v3.Release;
  public readonly crds: k8s.helm.v3.Release;
  public readonly controller: k8s.helm.v3.Release;

  constructor(name: string, args: KServeInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:lab:KServeInstall", name, {}, opts);
    this.certManager = new k8s.helm.v3.Release(
      `${name}-cert-manager`,
      {
        chart: "cert-manager",
        version: CERT_MANAGER_VERSION,
        repositoryOpts: { repo: "https://charts.jetstack.io" },
        namespace: "cert-manager",
        createNamespace: true,
        values: { crds: { enabled: true } },
      },
      { parent: this, dependsOn: args.after ?? [] },
    );
    this.crds = new k8s.helm.v3.Release(
      `${name}-crds`,
      { chart: "oci://ghcr.io/kserve/charts/kserve-crd", version: KSERVE_VERSION, namespace: KSERVE_NAMESPACE, createNamespace: true },
      { parent: this, dependsOn: [this.certManager] },
    );
    this.controller = new k8s.helm.v3.Release(
      `${name}-controller`,
      {
        chart: "oci://ghcr.io/kserve/charts/kserve",
        version: KSERVE_VERSION,
        namespace: KSERVE_NAMESPACE,
        createNamespace: true,
        values: {
          kserve: {
            controller: {
              deploymentMode: "RawDeployment",
              // No ingress controller in a lab: the service is reached in-cluster or via verify.
              gateway: { disableIngressCreation: true },
            },
          },
        },
      },
      { parent: this, dependsOn: [this.certManager, this.crds] },
    );
    this.registerOutputs({});
  }
}
