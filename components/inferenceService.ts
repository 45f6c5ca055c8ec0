import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DIGEST_REFERENCE } from "./configSchema";
import { inferenceServiceManifest } from "./manifests";
import { Settings } from "./settings";

export interface InferenceServiceArgs {
  readonly settings: Settings;
  /** `repository@sha256:…`; a tag is refused (Knative's controller cannot resolve ECR tags). */
  readonly image: pulumi.Input<string>;
}

export function requireDigest(image: string): string {
  if (!DIGEST_REFERENCE.test(image)) {
    throw new Error(`InferenceService image "${image}" is not pinned by digest (repository@sha256:…); Knative would try to resolve the tag and ECR refuses it`);
  }
  return image;
}

/** The KServe InferenceService, which `pulumi up` waits on until Ready (or fails with its conditions). */
export class InferenceService extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  /** The URL KServe reports once Ready. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: InferenceServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:kserve:InferenceService", name, {}, opts);
    const image = pulumi.output(args.image).apply(requireDigest);
    const manifest = inferenceServiceManifest(args.settings, image);
    const resource = new k8s.apiextensions.CustomResource(
      name,
      // `status` is listed so that the provider's reported status becomes an output.
      { ...manifest, status: undefined },
      // The name is fixed (metadata.name), so a replacement must delete the old one first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.name = resource.metadata.name;
    this.url = (resource as unknown as { status: pulumi.Output<{ url?: string } | undefined> }).status.apply((status) => status?.url ?? "");
    this.registerOutputs({ name: this.name, url: this.url });
  }
}
