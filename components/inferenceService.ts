import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DIGEST_REFERENCE } from "../core/imageReference";
import { rolloutPlan } from "../core/canary";
import { canaryInferenceServiceManifest, inferenceServiceManifest, inferenceServiceSpec } from "../core/manifests";
import { watchRolloutForUpdate } from "./rolloutWatch";
import { Settings } from "../core/config/settings";

export interface InferenceServiceArgs {
  readonly settings: Settings;
  /** `repository@sha256:…`; a tag is refused (Knative's controller cannot resolve ECR tags). */
  readonly image: pulumi.Input<string>;
  /**
   * The kubeconfig (contents) of the Kubernetes provider given in `providers`, so the rollout is
   * watched with the same credentials. @default the default provider's: `kubernetes:kubeconfig`,
   * `KUBECONFIG` or `~/.kube/config`, with `kubernetes:context`
   */
  readonly kubeconfig?: pulumi.Input<string>;
}

export function requireDigest(image: string): string {
  if (!DIGEST_REFERENCE.test(image)) {
    throw new Error(`InferenceService image "${image}" is not pinned by digest (repository@sha256:…); Knative would try to resolve the tag and ECR refuses it`);
  }
  return image;
}

/**
 * The KServe InferenceService. `pulumi up` waits until the applied spec serves (its own pods
 * Ready, not just the service's Ready condition) and fails with the diagnosis when it will not.
 */
export class InferenceService extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  /** The URL KServe reports once the rollout serves (unknown during preview). */
  public readonly url: pulumi.Output<string>;
  /** What serves: the ReplicaSet (Standard) or Revision (Knative) of the applied spec. */
  public readonly revision: pulumi.Output<string>;
  /** The image the stable predictor runs (the candidate itself without a canary). */
  public readonly stableImage: pulumi.Output<string>;
  /** The canary's image; empty when the update has no canary. */
  public readonly canaryImage: pulumi.Output<string>;

  constructor(name: string, args: InferenceServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:kserve:InferenceService", name, {}, opts);
    const s = args.settings;
    const image = pulumi.output(args.image).apply(requireDigest);
    const manifest = inferenceServiceManifest(s, image);
    // With rollouts on, whether the candidate is a canary depends on its digest.
    const spec = s.rollout.canaryPercent === undefined ? manifest.spec : image.apply((candidate) => inferenceServiceSpec(s, candidate));
    const plan = image.apply((candidate) => rolloutPlan(s.rollout, candidate));
    const resource = new k8s.apiextensions.CustomResource(
      name,
      { ...manifest, spec },
      // The name is fixed (metadata.name), so a replacement must delete the old one first.
      { parent: this, deleteBeforeReplace: true },
    );
    // Standard mode: the canary's own InferenceService, declared only while the candidate differs
    // from the stable digest. Once that is known (an image by digest: in preview too; a build: at
    // `up`), it is registered; a promote or rollback drops it, and Pulumi deletes it after the
    // stable's update (and the watch on it) succeeded.
    const canary = image.apply((candidate) => {
      const canaryManifest = canaryInferenceServiceManifest(s, candidate);
      return canaryManifest
        ? new k8s.apiextensions.CustomResource(`${name}-canary`, canaryManifest, { parent: this, deleteBeforeReplace: true }).metadata.name
        : undefined;
    });
    const serving = pulumi.all([resource.metadata, plan, canary, args.kubeconfig]).apply(async ([metadata, applied, _canaryName, kubeconfig]): Promise<{ revision: string; url: string }> =>
      // A preview changes nothing, so there is no rollout to watch; the URL is known after `up`.
      pulumi.runtime.isDryRun()
        ? { revision: pulumi.unknown as unknown as string, url: pulumi.unknown as unknown as string }
        : watchRolloutForUpdate({ settings: s, generation: metadata.generation, image: applied.stableImage, canaryImage: applied.canary?.image, kubeconfig, resource: this }),
    );
    this.name = resource.metadata.name;
    this.url = serving.url;
    this.revision = serving.revision;
    this.stableImage = plan.stableImage;
    this.canaryImage = plan.apply((p) => p.canary?.image ?? "");
    this.registerOutputs({ name: this.name, url: this.url, revision: this.revision, stableImage: this.stableImage, canaryImage: this.canaryImage });
  }
}
