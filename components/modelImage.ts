import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { contentHash, imageBuildArgs } from "../core/buildContext";
import { ecrCredentials } from "./ecrCredentials";

export interface ModelImageArgs {
  /** ECR repository name, e.g. "model-serving/dev/california-housing". */
  readonly repositoryName: string;
  /** The folder sent to Docker. */
  readonly context: string;
  /** @default "<context>/Dockerfile" */
  readonly dockerfile?: string;
  /** The nodes' CPU: an arm64 laptop otherwise ships an image that fails with "exec format error". @default "linux/amd64" */
  readonly platform?: string;
  /** The port the server listens on, passed as build arg PORT. */
  readonly port: number;
  /** Let `pulumi destroy` delete a repository that still holds images (labs). @default false */
  readonly forceDelete?: boolean;
  /** How many tagged images the lifecycle policy keeps. @default 10 */
  readonly keepTaggedImages?: number;
  /** Encrypt with this KMS key instead of AES256. */
  readonly kmsKeyArn?: string;
}

/** Untagged images expire after a day; of the tagged ones, the newest `keep` stay. */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: "Expire untagged images after 1 day",
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/** An ECR repository and the model server image built from `context` and pushed to it. */
export class ModelImage extends pulumi.ComponentResource {
  public readonly repository: aws.ecr.Repository;
  public readonly repositoryUrl: pulumi.Output<string>;
  /** The tag pushed: `<content hash>-<build id>`. */
  public readonly tag: pulumi.Output<string>;
  /** The hash of the build context, Dockerfile, platform and build args. */
  public readonly contentHash: string;
  /** `repository@sha256:…`: Knative skips tag resolution (which ECR refuses) for digests. */
  public readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: ModelImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:image:ModelImage", name, {}, opts);
    const dockerfile = args.dockerfile ?? `${args.context}/Dockerfile`;
    const platform = args.platform ?? "linux/amd64";
    const buildArgs = imageBuildArgs(args.port);

    this.repository = new aws.ecr.Repository(
      name,
      {
        name: args.repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [args.kmsKeyArn ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn } : { encryptionType: "AES256" }],
        forceDelete: args.forceDelete ?? false,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      name,
      { repository: this.repository.name, policy: lifecyclePolicy(args.keepTaggedImages ?? 10) },
      { parent: this },
    );

    this.contentHash = contentHash(args.context, dockerfile, { platform, ...buildArgs });
    // The build trains the model, so two builds of the same content are different images, and
    // the repository refuses to move a tag. A build id renewed whenever the content changes
    // (a revert included) keeps every pushed tag new, and stays put while the content does.
    const buildId = new random.RandomId(name, { byteLength: 4, keepers: { content: this.contentHash } }, { parent: this });
    this.tag = pulumi.interpolate`${this.contentHash}-${buildId.hex}`;
    const credentials = ecrCredentials(this.repository.registryId, this);
    const image = new docker.Image(
      name,
      {
        imageName: pulumi.interpolate`${this.repository.repositoryUrl}:${this.tag}`,
        build: { context: args.context, dockerfile, platform, args: buildArgs },
        registry: credentials,
      },
      { parent: this },
    );

    this.repositoryUrl = this.repository.repositoryUrl;
    this.imageRef = image.repoDigest;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageRef: this.imageRef, tag: this.tag, contentHash: this.contentHash });
  }
}
