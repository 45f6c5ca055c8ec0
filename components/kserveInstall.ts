import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KSERVE_VERSION } from "../core/kserveRelease";

export { KSERVE_VERSION };
export const CERT_MANAGER_VERSION = "v1.17.2";
export const KSERVE_NAMESPACE = "kserve";
/** KServe publishes its Helm charts here, each as `<repository>/<chart name>` at the release's version. */
export const KSERVE_CHART_REPOSITORY = "oci://ghcr.io/kserve/charts";
/** The CRDs and the controller are two charts (`charts/kserve-crd`, `charts/kserve-resources`). */
export const KSERVE_CRD_CHART = `${KSERVE_CHART_REPOSITORY}/kserve-crd`;
export const KSERVE_CONTROLLER_CHART = `${KSERVE_CHART_REPOSITORY}/kserve-resources`;

/** The controller chart's values: Standard mode, and nothing that needs Knative, Istio or an ingress controller. */
export function kserveControllerValues(): Record<string, unknown> {
  return {
    kserve: {
      controller: {
        // v0.20's name for a plain Deployment (RawDeployment before 0.16); the chart's default is Knative.
        deploymentMode: "Standard",
        gateway: {
          // No ingress controller in a lab: the service is reached in-cluster or via verify.
          disableIngressCreation: true,
          // No Istio either: otherwise the controller warns VirtualServiceCRDNotFound on every reconcile.
          disableIstioVirtualHost: true,
        },
      },
    },
  };
}

export interface KServeInstallArgs {
  /** Resources that must exist first, e.g. the node group the controllers run on. */
  readonly after?: pulumi.Input<pulumi.Resource>[];
}

/**
 * KServe in Standard mode, so neither Knative nor Istio is needed: cert-manager (its
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
      { chart: KSERVE_CRD_CHART, version: KSERVE_VERSION, namespace: KSERVE_NAMESPACE, createNamespace: true },
      { parent: this, dependsOn: [this.certManager] },
    );
    this.controller = new k8s.helm.v3.Release(
      `${name}-controller`,
      {
        chart: KSERVE_CONTROLLER_CHART,
        version: KSERVE_VERSION,
        namespace: KSERVE_NAMESPACE,
        createNamespace: true,
        values: kserveControllerValues(),
      },
      { parent: this, dependsOn: [this.certManager, this.crds] },
    );
    this.registerOutputs({});
  }
}
