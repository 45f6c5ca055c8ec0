// Image references: pinned by digest, and where an ECR image lives.

// repository@sha256:<64 hex>: the only image reference Knative does not try to resolve.
export const DIGEST_REFERENCE = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[a-f0-9]{64}$/;
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The ECR registry host and account of an image reference, if it is in ECR. */
export function ecrRegistryOf(image: string): { host: string; accountId: string; region: string } | undefined {
  const match = /^((\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\//.exec(image);
  return match ? { host: match[1], accountId: match[2], region: match[3] } : undefined;
}
