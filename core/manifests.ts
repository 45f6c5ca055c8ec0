// Pure manifest builders: settings in, plain Kubernetes objects out. The components, the
// offline render command and the tests all call these, so no manifest is written twice.
import { canaryReplicas, canaryServiceName, rolloutPlan } from "./canary";
import { deploymentModeAnnotation, isKnative, isStandard } from "./deploymentMode";
import type { ProbeSettings, Settings } from "./config/types";

export const INFERENCE_SERVICE_API_VERSION = "serving.kserve.io/v1beta1";
export const INFERENCE_SERVICE_KIND = "InferenceService";
/** KServe routes traffic only to the container of this name. */
export const CONTAINER_NAME = "kserve-container";
export const PULL_SECRET_TYPE = "kubernetes.io/dockerconfigjson";

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};

export function labels(s: Settings): Record<string, string> {
  return {
    "app.kubernetes.io/name": s.modelName,
    "app.kubernetes.io/part-of": "model-serving",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

export function pullSecretName(s: Settings): string {
  return `${s.modelName}-ecr-pull`;
}

export function namespaceManifest(s: Settings): KubernetesObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: s.namespace, labels: labels(s) } };
}

/** Whether an existing namespace carries the labels this program gives the namespaces it creates. */
export function madeByThisProgram(s: Settings, existing: { metadata: { labels?: Record<string, string> } }): boolean {
  return Object.entries(labels(s)).every(([key, value]) => existing.metadata.labels?.[key] === value);
}

/** The `.dockerconfigjson` a kubelet reads: one registry, basic auth. */
export function dockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

/** `dockerConfig` is a string, or a Pulumi secret output inside the program. */
export function pullSecretManifest<Config = string>(s: Settings, dockerConfig: Config): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: pullSecretName(s), namespace: s.namespace, labels: labels(s) },
    type: PULL_SECRET_TYPE,
    stringData: { ".dockerconfigjson": dockerConfig },
  };
}

/** An HTTP probe on the one port. Zero delays and periods are left out (0 period: Knative's aggressive probing). */
export function httpProbe(probe: ProbeSettings, port: number): Record<string, unknown> {
  return {
    httpGet: { path: probe.path, port },
    ...(probe.initialDelaySeconds > 0 ? { initialDelaySeconds: probe.initialDelaySeconds } : {}),
    ...(probe.periodSeconds > 0 ? { periodSeconds: probe.periodSeconds } : {}),
    ...(probe.timeoutSeconds !== undefined ? { timeoutSeconds: probe.timeoutSeconds } : {}),
    ...(probe.failureThreshold !== undefined ? { failureThreshold: probe.failureThreshold } : {}),
  };
}

export function containerEnv(s: Settings): { name: string; value: string }[] {
  const env = [{ name: "MODEL_NAME", value: s.modelName }];
  // Knative injects PORT and rejects a user-set one; KServe's Standard mode does not inject it.
  if (isStandard(s)) {
    env.push({ name: "PORT", value: String(s.port) });
  }
  for (const name of Object.keys(s.env).sort()) {
    env.push({ name, value: s.env[name] });
  }
  return env;
}

/** Within what Knative accepts on the container (pod-level securityContext is behind a flag). */
export const CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The one serving container. In Standard mode a stopping pod first sleeps (preStop, the kubelet's
 * own sleep action: no binary needed in the image) so the requests kube-proxy still routes to it
 * during a rolling update are answered, not refused (seen: 2 of 380 refused during a promote
 * without it). Knative's queue-proxy drains its pods itself.
 */
export function predictorContainer<Image = string>(s: Settings, image: Image): Record<string, unknown> {
  return {
    name: CONTAINER_NAME,
    image,
    // Knative allows exactly one port; "http1" names its protocol.
    ports: [{ containerPort: s.port, protocol: "TCP", name: "http1" }],
    env: containerEnv(s),
    readinessProbe: httpProbe(s.probes.readiness, s.port),
    livenessProbe: httpProbe(s.probes.liveness, s.port),
    ...(s.probes.startup.enabled ? { startupProbe: httpProbe(s.probes.startup, s.port) } : {}),
    resources: {
      requests: { ...s.resources.requests },
      limits: { ...s.resources.limits },
    },
    securityContext: CONTAINER_SECURITY_CONTEXT,
    ...(isStandard(s) && s.shutdownDelaySeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: s.shutdownDelaySeconds } } } } : {}),
  };
}

export const KNATIVE_PROGRESS_DEADLINE = "serving.knative.dev/progress-deadline";

export function inferenceServiceAnnotations(s: Settings): Record<string, string> {
  return {
    // Installs default differently: always say which mode, in the names the cluster's KServe knows.
    "serving.kserve.io/deploymentMode": deploymentModeAnnotation(s.deploymentMode, s.kserveVersion),
    // Knative gives up on a Revision (and scales its pods away) when `pulumi up` does, not at its
    // own 10 minutes: a failed Revision's pods would hold their requests that long. KServe copies
    // the annotation onto the Revision template.
    ...(isKnative(s) ? { [KNATIVE_PROGRESS_DEADLINE]: `${s.readyTimeoutSeconds}s` } : {}),
    // No pulumi.com/waitFor: Ready stays True while a failed update crash-loops (Standard mode),
    // so the component watches the rollout itself (rolloutWatch.ts).
  };
}

/** `spec.predictor` for one image: replicas, scaling, pull secret and the one container, named when given. */
export function predictorSpec<Image = string>(s: Settings, image: Image, name?: string): Record<string, unknown> {
  return {
    ...(name !== undefined ? { name } : {}),
    minReplicas: s.replicas.min,
    maxReplicas: s.replicas.max,
    ...(s.autoscaling.metric !== undefined ? { scaleMetric: s.autoscaling.metric } : {}),
    ...(s.autoscaling.target !== undefined ? { scaleTarget: s.autoscaling.target } : {}),
    ...(s.pullSecret.enabled ? { imagePullSecrets: [{ name: pullSecretName(s) }] } : {}),
    containers: [predictorContainer(s, image)],
  };
}

/**
 * The spec for a candidate image. With rollouts on and a candidate that is not the stable image:
 * Knative mode sends `canaryTrafficPercent` of the traffic to the candidate's new Revision
 * (Knative keeps the previous one serving the rest); Standard mode keeps the stable image here
 * and runs the candidate in its own InferenceService (canaryInferenceServiceManifest).
 */
export function inferenceServiceSpec(s: Settings, candidate: string): Record<string, unknown> {
  const plan = rolloutPlan(s.rollout, candidate);
  if (isKnative(s)) {
    return { predictor: { ...predictorSpec(s, candidate), ...(plan.canary ? { canaryTrafficPercent: plan.canary.percent } : {}) } };
  }
  return { predictor: predictorSpec(s, plan.stableImage) };
}

/** Marks a Standard-mode canary InferenceService with the model it is the canary of. */
export const CANARY_OF_LABEL = "model-serving/canary-of";
/** The canary's share (`rollout.canaryPercent`) as the stack gave it, for the policy pack. */
export const CANARY_PERCENT_ANNOTATION = "model-serving/canary-percent";

/**
 * Standard mode: the canary InferenceService `<name>-canary`, the candidate with a fixed
 * ceil(min × percent / 100) replicas (no autoscaling: a canary is a measured sample). Undefined
 * when this update has no canary (or runs in Knative mode, where the split is a Revision's).
 */
export function canaryInferenceServiceManifest(s: Settings, candidate: string): KubernetesObject | undefined {
  const plan = rolloutPlan(s.rollout, candidate);
  if (isKnative(s) || !plan.canary) {
    return undefined;
  }
  const replicas = canaryReplicas(s.replicas.min, plan.canary.percent);
  const { scaleMetric, scaleTarget, ...predictor } = predictorSpec(s, plan.canary.image);
  return {
    apiVersion: INFERENCE_SERVICE_API_VERSION,
    kind: INFERENCE_SERVICE_KIND,
    metadata: {
      name: canaryServiceName(s.modelName),
      namespace: s.namespace,
      labels: { ...labels(s), [CANARY_OF_LABEL]: s.modelName },
      annotations: { ...inferenceServiceAnnotations(s), [CANARY_PERCENT_ANNOTATION]: String(plan.canary.percent) },
    },
    spec: { predictor: { ...predictor, minReplicas: replicas, maxReplicas: replicas } },
  };
}

/**
 * The InferenceService; `image` (the candidate) must be `repository@sha256:…`. A string gets
 * the rollout plan's spec; an output (the program's, before the build) one predictor, and the
 * component swaps in inferenceServiceSpec once the digest is known when rollouts are on.
 */
export function inferenceServiceManifest<Image = string>(s: Settings, image: Image): KubernetesObject {
  return {
    apiVersion: INFERENCE_SERVICE_API_VERSION,
    kind: INFERENCE_SERVICE_KIND,
    metadata: {
      name: s.modelName,
      namespace: s.namespace,
      labels: labels(s),
      annotations: inferenceServiceAnnotations(s),
    },
    spec: typeof image === "string" ? inferenceServiceSpec(s, image) : { predictor: predictorSpec(s, image) },
  };
}
