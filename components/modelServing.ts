import * as pulumi from "@pulumi/pulumi";
import { InferenceService } from "./inferenceService";
import { ModelNamespace } from "./modelNamespace";
import { ecrRegistryOf, Settings } from "../core/config/settings";

// The AWS and lab components load only when a stack uses them: @pulumi/aws alone takes ~0.3 s to load,
// paid by every preview and twice by every `pulumi up`, and a stack that deploys an image by
// digest to the ambient cluster needs none of it.
const onDemand = {
  ecrCredentials: () => (require("./ecrCredentials") as typeof import("./ecrCredentials")).ecrCredentials,
  eksClusterProvider: () => (require("./kubeconfig") as typeof import("./kubeconfig")).eksClusterProvider,
  KServeInstall: () => (require("./kserveInstall") as typeof import("./kserveInstall")).KServeInstall,
  LabCluster: () => (require("./labCluster") as typeof import("./labCluster")).LabCluster,
  ModelImage: () => (require("./modelImage") as typeof import("./modelImage")).ModelImage,
  NodeRoleEcrAccess: () => (require("./nodeRoleEcrAccess") as typeof import("./nodeRoleEcrAccess")).NodeRoleEcrAccess,
};

/**
 * The whole deployment: image (built, or brought by digest), node-role ECR access, namespace
 * and pull secret, and the InferenceService, which waits for them. In lab mode
 * (`cluster.create`) also the EKS cluster, its node group and the KServe install.
 */
export class ModelServing extends pulumi.ComponentResource {
  public readonly imageRef: pulumi.Output<string>;
  /** The ECR repository built into; empty when `image` brings an existing one. */
  public readonly repositoryUrl: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  public readonly inferenceServiceName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;
  /** The canary's image while one runs (rollout.canaryPercent); empty otherwise. */
  public readonly canaryImageRef: pulumi.Output<string>;
  /** The image the stable predictor serves: rollout.stableImage while a canary runs, else imageRef. */
  public readonly stableImageRef: pulumi.Output<string>;
  /** The EKS cluster deployed to (lab mode: created); empty for the ambient kubeconfig. */
  public readonly clusterName: pulumi.Output<string>;

  constructor(name: string, settings: Settings, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:index:ModelServing", name, {}, opts);
    const s = settings;
    const lab = s.cluster.create
      ? new (onDemand.LabCluster())(
          `${name}-lab`,
          // Settings give a lab cluster its name (model-serving-<stack> by default).
          { ...s.cluster, name: s.cluster.name! },
          { parent: this },
        )
      : undefined;
    // Without cluster.name the ambient kubeconfig (and `kubernetes:context`) is used.
    const eks = !lab && s.cluster.name ? onDemand.eksClusterProvider()(`${name}-eks`, s.cluster.name, s.cluster.region, this) : undefined;
    const provider = lab ? lab.provider : eks?.provider;
    // The rollout is watched with the provider's own credentials.
    const kubeconfig = lab ? lab.cluster.kubeconfigJson : eks?.kubeconfig;
    const k8sOpts = { parent: this, ...(provider ? { providers: [provider] } : {}) };
    // The InferenceService waits for the install, so on destroy it (and its finalizer) goes first.
    const kserve = lab ? new (onDemand.KServeInstall())(`${name}-kserve`, { after: [lab.nodeGroup] }, k8sOpts) : undefined;

    const image = s.image
      ? undefined
      : new (onDemand.ModelImage())(
          name,
          {
            repositoryName: s.ecr.repositoryName,
            context: s.build.context,
            dockerfile: s.build.dockerfile,
            platform: s.build.platform,
            port: s.port,
            forceDelete: s.ecr.forceDelete,
            keepTaggedImages: s.ecr.keepTaggedImages,
            kmsKeyArn: s.ecr.kmsKeyArn,
          },
          { parent: this },
        );
    this.imageRef = image ? image.imageRef : pulumi.output(s.image!);
    this.repositoryUrl = image ? image.repositoryUrl : pulumi.output("");

    const access = s.nodeRoleAccess.enabled
      ? new (onDemand.NodeRoleEcrAccess())(
          name,
          { roleNames: s.nodeRoleAccess.roleNames, nodeGroups: s.nodeRoleAccess.nodeGroups, clusterName: s.cluster.name },
          { parent: this },
        )
      : undefined;

    const registryId = image ? image.repository.registryId : ecrRegistryOf(s.image ?? "")?.accountId;
    const registry = s.pullSecret.enabled && registryId ? onDemand.ecrCredentials()(registryId, this) : undefined;
    const namespace = new ModelNamespace(name, { settings: s, registry }, k8sOpts);

    const service = new InferenceService(
      name,
      { settings: s, image: this.imageRef, kubeconfig },
      { ...k8sOpts, dependsOn: [namespace, ...(access ? [access] : []), ...(kserve ? [kserve] : [])] },
    );
    this.namespace = namespace.name;
    this.inferenceServiceName = service.name;
    this.url = service.url;
    this.canaryImageRef = service.canaryImage;
    this.stableImageRef = service.stableImage;
    this.clusterName = pulumi.output(s.cluster.name ?? "");
    this.registerOutputs({
      imageRef: this.imageRef,
      repositoryUrl: this.repositoryUrl,
      namespace: this.namespace,
      inferenceServiceName: this.inferenceServiceName,
      url: this.url,
      canaryImageRef: this.canaryImageRef,
      stableImageRef: this.stableImageRef,
      clusterName: this.clusterName,
    });
  }
}
