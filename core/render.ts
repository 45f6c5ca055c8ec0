// What `pulumi up` would apply to the cluster, without AWS, a cluster or the Pulumi CLI.
import * as YAML from "yaml";
import { canaryInferenceServiceManifest, inferenceServiceManifest, KubernetesObject, namespaceManifest, pullSecretManifest } from "./manifests";
import { Settings } from "./config/settings";

export const REDACTED = "<redacted: ECR authorization token, made at deploy>";

/** The image the InferenceService will run: the configured digest, or where the build will push. */
export function renderedImage(s: Settings): string {
  return s.image ?? `<account>.dkr.ecr.${s.cluster.region ?? "<region>"}.amazonaws.com/${s.ecr.repositoryName}@sha256:<digest at deploy>`;
}

/** The Kubernetes objects of a stack, in apply order. */
export function renderObjects(s: Settings): KubernetesObject[] {
  const canary = canaryInferenceServiceManifest(s, renderedImage(s));
  return [
    ...(s.createNamespace ? [namespaceManifest(s)] : []),
    ...(s.pullSecret.enabled ? [pullSecretManifest(s, REDACTED)] : []),
    inferenceServiceManifest(s, renderedImage(s)),
    ...(canary ? [canary] : []),
  ];
}

export function toYamlDocuments(objects: KubernetesObject[]): string {
  return objects.map((object) => YAML.stringify(object)).join("---\n");
}
