// What the InferenceService policies look at: the resource types they match, and a view of an
// InferenceService taken from its props once.
import { ResourceValidationArgs } from "@pulumi/policy";
import { DeploymentMode, normalizeDeploymentMode } from "../core/deploymentMode";
import { CONTAINER_NAME } from "../core/manifests";

/** A KServe InferenceService is a Kubernetes custom resource: `validateResourceOfType` cannot match it. */
export const INFERENCE_SERVICE_TYPE = "kubernetes:serving.kserve.io/v1beta1:InferenceService";

export const ECR_REPOSITORY_TYPE = "aws:ecr/repository:Repository";

export const SECRET_TYPE = "kubernetes:core/v1:Secret";

export const DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode";

export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";

/** Readiness delays above this are paid by every pod start, including each scale from zero. */
export const MAX_READINESS_DELAY_SECONDS = 5;

export const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;

export const PULL_SECRET_KEYS = [".dockerconfigjson", ".dockercfg"];

/** One container of the predictor, with the path its fields are reported under. */
export interface PredictorContainer {
  readonly path: string;
  readonly container: Record<string, any>;
  /** Its predictor's pod-level security context (`spec.predictor.securityContext`, or a canary's). */
  readonly podSecurityContext: Record<string, any>;
}

/** What the InferenceService policies look at, taken from the resource's props once. */
export interface InferenceServiceView {
  readonly annotations: Record<string, string>;
  /** The annotation's mode, legacy names normalised; undefined when missing or unknown (the install's default then applies). */
  readonly deploymentMode?: DeploymentMode;
  /** `spec.predictor.containers`; empty for a model-format predictor (its ServingRuntime supplies the container). */
  readonly containers: PredictorContainer[];
  /** Those and every Standard-mode canary's (`spec.canary[i].predictor.containers`): what the container rules check. */
  readonly allContainers: PredictorContainer[];
  /** The container KServe routes to: `kserve-container`, or the only one. */
  readonly serving?: PredictorContainer;
  /** Each Standard-mode canary's container KServe routes to, picked as `serving` is. */
  readonly canaryServing: PredictorContainer[];
  /** Pod-level security context (`spec.predictor.securityContext`). */
  readonly podSecurityContext: Record<string, any>;
  /** `spec.predictor` itself, for its scaling fields. */
  readonly predictor: Record<string, any>;
  /** `spec`, for the canaries. */
  readonly spec: Record<string, any>;
}

export function inferenceServiceView(props: Record<string, any>): InferenceServiceView {
  const annotations: Record<string, string> = props.metadata?.annotations ?? {};
  const predictor = props.spec?.predictor ?? {};
  const containers = predictorContainers(predictor, "spec.predictor");
  // A canary runs beside the stable and takes its share of the traffic: the same rules apply to it.
  const canaries = ((props.spec?.canary ?? []) as Record<string, any>[]).map((entry, i) => predictorContainers(entry?.predictor ?? {}, `spec.canary[${i}].predictor`));
  return {
    annotations,
    // Knative and Serverless are one mode, Standard and RawDeployment the other: KServe ≥ 0.16 knows both names.
    deploymentMode: normalizeDeploymentMode(annotations[DEPLOYMENT_MODE_ANNOTATION]),
    containers,
    allContainers: [...containers, ...canaries.flat()],
    serving: servingOf(containers),
    canaryServing: canaries.flatMap((c) => servingOf(c) ?? []),
    podSecurityContext: predictor.securityContext ?? {},
    predictor,
    spec: props.spec ?? {},
  };
}

/** The container KServe routes to among a predictor's: `kserve-container`, or the only one. */
function servingOf(containers: PredictorContainer[]): PredictorContainer | undefined {
  return containers.find((c) => c.container.name === CONTAINER_NAME) ?? (containers.length === 1 ? containers[0] : undefined);
}

function predictorContainers(predictor: Record<string, any>, path: string): PredictorContainer[] {
  return (predictor.containers ?? []).map((container: Record<string, any>, i: number) => ({
    path: `${path}.containers[${i}]`,
    container,
    podSecurityContext: predictor.securityContext ?? {},
  }));
}

export type InferenceServiceCheck = (isvc: InferenceServiceView, args: ResourceValidationArgs) => string[];
