// The kserve-guardrails policies: the lab's failures (wrong port, no probes, a tag Knative cannot
// resolve, a root container, a plaintext pull secret) refused at `pulumi preview`, for this
// program and any other that deploys InferenceServices. index.ts only builds the PolicyPack from
// them (`new PolicyPack` starts a server), so the tests call each `validateResource` directly.
import { ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { KNATIVE_CLASS_ANNOTATION, ScaleMetric, scaleMetricProblem, scaleTargetProblem, SCALE_METRICS } from "../components/autoscaling";
import { DIGEST_REFERENCE } from "../components/configSchema";
import { DeploymentMode, isKnative, isStandard, normalizeDeploymentMode } from "../components/deploymentMode";
import { CONTAINER_NAME, PULL_SECRET_TYPE } from "../components/manifests";
import { parseQuantity } from "../components/quantity";
import { KNATIVE_RESERVED_PORTS, MIN_MEMORY_LIMIT } from "../components/settings";

/** A KServe InferenceService is a Kubernetes custom resource: `validateResourceOfType` cannot match it. */
export const INFERENCE_SERVICE_TYPE = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
export const ECR_REPOSITORY_TYPE = "aws:ecr/repository:Repository";
export const SECRET_TYPE = "kubernetes:core/v1:Secret";

export const DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode";
export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";
/** Readiness delays above this are paid by every pod start, including each scale from zero. */
export const MAX_READINESS_DELAY_SECONDS = 5;

const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;
const PULL_SECRET_KEYS = [".dockerconfigjson", ".dockercfg"];

/** One container of the predictor, with the path its fields are reported under. */
export interface PredictorContainer {
  readonly path: string;
  readonly container: Record<string, any>;
}

/** What the InferenceService policies look at, taken from the resource's props once. */
export interface InferenceServiceView {
  readonly annotations: Record<string, string>;
  /** The annotation's mode, legacy names normalised; undefined when missing or unknown (the install's default then applies). */
  readonly deploymentMode?: DeploymentMode;
  /** `spec.predictor.containers`; empty for a model-format predictor (its ServingRuntime supplies the container). */
  readonly containers: PredictorContainer[];
  /** The container KServe routes to: `kserve-container`, or the only one. */
  readonly serving?: PredictorContainer;
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
  const containers: PredictorContainer[] = (predictor.containers ?? []).map((container: Record<string, any>, i: number) => ({
    path: `spec.predictor.containers[${i}]`,
    container,
  }));
  const serving = containers.find((c) => c.container.name === CONTAINER_NAME) ?? (containers.length === 1 ? containers[0] : undefined);
  return {
    annotations,
    // Knative and Serverless are one mode, Standard and RawDeployment the other: KServe ≥ 0.16 knows both names.
    deploymentMode: normalizeDeploymentMode(annotations[DEPLOYMENT_MODE_ANNOTATION]),
    containers,
    serving,
    podSecurityContext: predictor.securityContext ?? {},
    predictor,
    spec: props.spec ?? {},
  };
}

// ---- InferenceService checks: each returns its violation messages ----

type InferenceServiceCheck = (isvc: InferenceServiceView, args: ResourceValidationArgs) => string[];

function theOnePort(c: PredictorContainer): { containerPort: number; name?: string } | undefined {
  const ports = c.container.ports ?? [];
  return ports.length === 1 ? ports[0] : undefined;
}

export function checkOneContainerPort(isvc: InferenceServiceView): string[] {
  if (!isvc.serving) {
    return [];
  }
  const ports = isvc.serving.container.ports ?? [];
  if (ports.length === 1) {
    return [];
  }
  const where = `${isvc.serving.path}.ports`;
  return ports.length === 0
    ? [`${where} is missing: declare exactly one port, the one the server listens on (e.g. containerPort: 8000); without it Knative assumes 8080.`]
    : [`${where} has ${ports.length} entries: Knative allows exactly one; keep only the port the server listens on.`];
}

/** The port a probe uses, and where; exec probes have none. */
function probePort(probe: Record<string, any>): { field: string; port: unknown } | undefined {
  for (const handler of ["httpGet", "tcpSocket", "grpc"]) {
    if (probe[handler]) {
      return { field: `${handler}.port`, port: probe[handler].port };
    }
  }
  return undefined;
}

export function checkProbePorts(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const port = serving && theOnePort(serving);
  if (!serving || !port) {
    return []; // checkOneContainerPort reports it
  }
  const problems: string[] = [];
  for (const name of PROBES) {
    const probe = serving.container[name];
    const used = probe && probePort(probe);
    if (!used) {
      continue;
    }
    const where = `${serving.path}.${name}.${used.field}`;
    // Knative fills an omitted probe port with the container port; a plain Deployment does not.
    if (used.port === undefined) {
      if (!isKnative(isvc)) {
        problems.push(`${where} is missing: set it to the container port, ${port.containerPort}.`);
      }
    } else if (used.port !== port.containerPort && !(port.name && used.port === port.name)) {
      problems.push(
        `${where} is ${JSON.stringify(used.port)} but the container port is ${port.containerPort}: ` +
          `probe the port the server listens on (${port.containerPort}${port.name ? ` or "${port.name}"` : ""}), or the pod never becomes Ready.`,
      );
    }
  }
  return problems;
}

export function checkNoReservedPort(isvc: InferenceServiceView): string[] {
  // Knative is KServe's default, so an unset mode is checked too; a reserved port is never needed.
  if (isStandard(isvc)) {
    return [];
  }
  const problems: string[] = [];
  for (const c of isvc.containers) {
    (c.container.ports ?? []).forEach((p: Record<string, any>, i: number) => {
      if (KNATIVE_RESERVED_PORTS.includes(p.containerPort)) {
        problems.push(
          `${c.path}.ports[${i}].containerPort is ${p.containerPort}, which Knative reserves (${KNATIVE_RESERVED_PORTS.join(", ")}): serve on another port, e.g. 8000.`,
        );
      }
    });
  }
  return problems;
}

export function checkPortEnv(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  if (!serving || !isvc.deploymentMode) {
    return []; // the mode decides; checkDeploymentModeSet advises setting it
  }
  const env: Record<string, any>[] = serving.container.env ?? [];
  const index = env.findIndex((e) => e.name === "PORT");
  const port = theOnePort(serving)?.containerPort;
  if (isKnative(isvc)) {
    return index < 0
      ? []
      : [`${serving.path}.env[${index}] sets PORT: remove it; Knative injects PORT (the container port) and rejects a user-set one.`];
  }
  if (index < 0) {
    return [`${serving.path}.env has no PORT: Standard mode does not inject it; add { name: PORT, value: "${port ?? "<container port>"}" } so the server listens on the container port.`];
  }
  const value = env[index].value;
  return port === undefined || value === String(port)
    ? []
    : [`${serving.path}.env[${index}].value is ${JSON.stringify(value)} but the container port is ${port}: set PORT to "${port}".`];
}

export function checkProbesPresent(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  if (!serving) {
    return [];
  }
  const missing: string[] = [];
  if (!serving.container.readinessProbe) {
    missing.push(`${serving.path}.readinessProbe is missing: add an HTTP probe on the container port that succeeds once the model is loaded (e.g. /health).`);
  }
  if (!serving.container.livenessProbe) {
    missing.push(`${serving.path}.livenessProbe is missing: add an HTTP probe on the container port that succeeds while the process is alive (e.g. /v2/health/live).`);
  }
  return missing;
}

/** A Standard-mode canary's serving container (spec.canary[i].predictor), as the probe rule reads the stable's. */
function canaryServingContainers(isvc: InferenceServiceView): PredictorContainer[] {
  return ((isvc.spec.canary ?? []) as Record<string, any>[]).flatMap((entry, i) => {
    const containers: Record<string, any>[] = entry?.predictor?.containers ?? [];
    const j = containers.findIndex((c) => c.name === CONTAINER_NAME);
    const at = j >= 0 ? j : containers.length === 1 ? 0 : -1;
    return at < 0 ? [] : [{ path: `spec.canary[${i}].predictor.containers[${at}]`, container: containers[at] }];
  });
}

/** A canary must be as observable as the stable: it is what the next rollout decides on. */
export function checkCanaryProbes(isvc: InferenceServiceView): string[] {
  return canaryServingContainers(isvc).flatMap((c) => checkProbesPresent({ ...isvc, serving: c }));
}

export interface CanaryConfig {
  /** The largest canary share a rollout may start with. @default 50 */
  readonly maxCanaryPercent?: number;
}

export const DEFAULT_MAX_CANARY_PERCENT = 50;

/** A canary's share (Standard: spec.canary[].trafficPercent; Knative: canaryTrafficPercent) stays at most the limit. */
export function checkCanaryShare(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  const limit = args.getConfig<CanaryConfig>().maxCanaryPercent ?? DEFAULT_MAX_CANARY_PERCENT;
  const shares: [string, unknown][] = [
    ...((isvc.spec.canary ?? []) as Record<string, any>[]).map((entry, i): [string, unknown] => [`spec.canary[${i}].trafficPercent`, entry?.trafficPercent]),
    ["spec.predictor.canaryTrafficPercent", isvc.predictor.canaryTrafficPercent],
  ];
  return shares
    .filter(([, share]) => typeof share === "number" && share > limit)
    .map(([where, share]) => `${where} is ${share}, above the ${limit} % a canary may start with: start smaller and promote once it is verified (or raise maxCanaryPercent in the pack's config).`);
}

export function checkResources(isvc: InferenceServiceView): string[] {
  const problems: string[] = [];
  for (const c of isvc.containers) {
    const resources = c.container.resources ?? {};
    for (const name of ["cpu", "memory"]) {
      const request = resources.requests?.[name];
      const limit = resources.limits?.[name];
      for (const [kind, value] of [["requests", request], ["limits", limit]]) {
        const where = `${c.path}.resources.${kind}.${name}`;
        if (value === undefined) {
          problems.push(`${where} is missing: set it (e.g. ${name === "cpu" ? '"500m"' : '"512Mi"'}) so the scheduler reserves room and the container is bounded.`);
        } else if (parseQuantity(String(value)) === undefined) {
          problems.push(`${where} ${JSON.stringify(value)} is not a Kubernetes quantity: write e.g. ${name === "cpu" ? '"500m"' : '"512Mi"'}.`);
        }
      }
      const requested = request === undefined ? undefined : parseQuantity(String(request));
      const limited = limit === undefined ? undefined : parseQuantity(String(limit));
      if (requested !== undefined && limited !== undefined && limited < requested) {
        problems.push(`${c.path}.resources.limits.${name} (${limit}) is below the request (${request}): raise the limit to at least the request.`);
      }
    }
  }
  return problems;
}

export function checkImageDigest(isvc: InferenceServiceView): string[] {
  const fix = "deploy repository@sha256:<digest> (Knative resolves tags with its own credentials, which ECR refuses; a digest is also the exact image tested)";
  return isvc.containers.flatMap((c) => {
    const image = c.container.image;
    if (typeof image !== "string" || image === "") {
      return [`${c.path}.image is missing: ${fix}.`];
    }
    if (DIGEST_REFERENCE.test(image)) {
      return [];
    }
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    const what = tag === undefined ? "has no tag or digest (so it means :latest)" : tag === "latest" ? "uses the tag latest" : `uses the tag ${tag}`;
    return [`${c.path}.image ${JSON.stringify(image)} ${what}: ${fix}.`];
  });
}

export function checkNotRoot(isvc: InferenceServiceView): string[] {
  const pod = isvc.podSecurityContext;
  return isvc.containers.flatMap((c) => {
    const own = c.container.securityContext ?? {};
    const where = `${c.path}.securityContext`;
    const problems: string[] = [];
    // The container's settings override the pod's (which Knative hides behind a feature flag).
    const runAsNonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
    const runAsUser = own.runAsUser ?? pod.runAsUser;
    if (runAsUser === 0) {
      problems.push(`${where}.runAsUser is 0 (root): run as a non-root user (e.g. runAsUser: 1000) with runAsNonRoot: true.`);
    } else if (runAsNonRoot !== true && !(typeof runAsUser === "number" && runAsUser > 0)) {
      problems.push(`${where}.runAsNonRoot is not true: set runAsNonRoot: true on the container (the image must name a non-root USER).`);
    }
    if (own.allowPrivilegeEscalation !== false) {
      problems.push(`${where}.allowPrivilegeEscalation is not false: set allowPrivilegeEscalation: false.`);
    }
    if (own.privileged === true) {
      problems.push(`${where}.privileged is true: remove it (Knative accepts only privileged: false).`);
    }
    return problems;
  });
}

export function checkReadinessDelay(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const delay = serving?.container.readinessProbe?.initialDelaySeconds;
  if (!serving || typeof delay !== "number" || delay <= MAX_READINESS_DELAY_SECONDS) {
    return [];
  }
  return [
    `${serving.path}.readinessProbe.initialDelaySeconds is ${delay}: every pod start (each scale from zero too) waits that long; ` +
      "use 0 and let the readiness probe fail until the model is loaded (a startupProbe covers slow loads).",
  ];
}

export function checkLivenessPath(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const readiness = serving?.container.readinessProbe?.httpGet;
  const liveness = serving?.container.livenessProbe?.httpGet;
  if (!serving || !readiness || !liveness || (readiness.path ?? "/") !== (liveness.path ?? "/")) {
    return [];
  }
  return [
    `${serving.path}.livenessProbe.httpGet.path is ${JSON.stringify(liveness.path ?? "/")}, the readiness path: a slow model load then fails liveness ` +
      "and the container is restarted in a loop; probe a path that answers while the model loads (e.g. /v2/health/live).",
  ];
}

/** This project's InferenceService component watches each rollout itself (components/rolloutWatch.ts). */
export const ROLLOUT_WATCHING_COMPONENT = "model-serving:kserve:InferenceService";

/** Whether a resource's URN (`urn:pulumi:<stack>::<project>::<parent type>$…$<type>::<name>`) has the component as an ancestor. */
export function isChildOf(urn: string, componentType: string): boolean {
  return (urn.split("::")[2] ?? "").split("$").slice(0, -1).includes(componentType);
}

export function checkWaitFor(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  if (isvc.annotations[WAIT_FOR_ANNOTATION] !== undefined || isChildOf(args.urn, ROLLOUT_WATCHING_COMPONENT)) {
    return [];
  }
  return [
    `metadata.annotations["${WAIT_FOR_ANNOTATION}"] is missing: add "condition=Ready" so \`pulumi up\` waits for the service and fails with its condition message ` +
      `instead of succeeding on a broken deploy (in Standard mode Ready stays True while a failed update crash-loops: deploy with this project's ` +
      `InferenceService component, which watches the new pods).`,
  ];
}

export interface MemoryConfig {
  /** The smallest memory limit the model server runs in. @default MIN_MEMORY_LIMIT */
  readonly minMemoryLimit?: string;
}

export function checkMemoryLimit(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  const minimum = args.getConfig<MemoryConfig>().minMemoryLimit ?? MIN_MEMORY_LIMIT;
  const floor = parseQuantity(minimum);
  const serving = isvc.serving;
  const limit = serving?.container.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : parseQuantity(String(limit));
  if (!serving || floor === undefined || bytes === undefined || bytes >= floor) {
    return []; // a missing or unparsable limit is checkResources' to report
  }
  return [`${serving.path}.resources.limits.memory is ${limit}, under the ${minimum} the model server needs: raise it to at least ${minimum}, or the container is OOMKilled.`];
}

/** The scaling fields must fit the mode's autoscaler (components/autoscaling.ts, as settings apply it). */
export function checkAutoscalingFitsMode(isvc: InferenceServiceView): string[] {
  const mode = isvc.deploymentMode;
  if (mode === undefined) {
    return []; // the mode decides; checkDeploymentModeSet advises setting it
  }
  const { scaleMetric, scaleTarget, minReplicas } = isvc.predictor;
  const problems: string[] = [];
  if (SCALE_METRICS.includes(scaleMetric)) {
    const problem = scaleMetricProblem(scaleMetric as ScaleMetric, mode, isvc.annotations[KNATIVE_CLASS_ANNOTATION]);
    if (problem) problems.push(`spec.predictor.scaleMetric is "${scaleMetric}", which ${problem} (this service is in ${mode} mode).`);
    const targetProblem = typeof scaleTarget === "number" ? scaleTargetProblem(scaleMetric as ScaleMetric, scaleTarget) : undefined;
    if (targetProblem) problems.push(`spec.predictor.scaleTarget is ${scaleTarget}, which ${targetProblem}.`);
  }
  if (isStandard({ deploymentMode: mode }) && minReplicas === 0) {
    problems.push("spec.predictor.minReplicas is 0: only Knative mode scales to zero; in Standard mode set it to at least 1.");
  }
  return problems;
}

export function checkDeploymentModeSet(isvc: InferenceServiceView): string[] {
  if (isvc.deploymentMode) {
    return [];
  }
  const value = isvc.annotations[DEPLOYMENT_MODE_ANNOTATION];
  const what = value === undefined ? "is missing" : `is ${JSON.stringify(value)}, not a mode this pack knows`;
  return [
    `metadata.annotations["${DEPLOYMENT_MODE_ANNOTATION}"] ${what}: set "Knative" or "Standard" ("Serverless" or "RawDeployment" for KServe before 0.16); ` +
      "installs default differently, and the PORT rule is not checked until it is set.",
  ];
}

/** A ResourceValidation that runs `check` on InferenceServices and reports each message. */
function forInferenceService(check: InferenceServiceCheck): ResourceValidation {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (args.type !== INFERENCE_SERVICE_TYPE) {
      return;
    }
    for (const message of check(inferenceServiceView(args.props), args)) {
      reportViolation(message);
    }
  };
}

// ---- other resources ----

export function checkEcrRepository(props: Record<string, any>): string[] {
  const problems: string[] = [];
  if (props.imageScanningConfiguration?.scanOnPush !== true) {
    problems.push("imageScanningConfiguration.scanOnPush is not true: set imageScanningConfiguration: { scanOnPush: true } so every pushed image is scanned.");
  }
  if (props.imageTagMutability !== "IMMUTABLE") {
    problems.push(
      `imageTagMutability is ${JSON.stringify(props.imageTagMutability ?? "MUTABLE (the default)")}: set "IMMUTABLE" so a tag always names the image that was tested.`,
    );
  }
  return problems;
}

function isPullSecret(props: Record<string, any>): boolean {
  const keys = [...Object.keys(props.data ?? {}), ...Object.keys(props.stringData ?? {})];
  return props.type === PULL_SECRET_TYPE || props.type === "kubernetes.io/dockercfg" || keys.some((k) => PULL_SECRET_KEYS.includes(k));
}

/**
 * Whether the pull secret's data is a Pulumi secret. A policy cannot see that in `props`: the
 * engine sends secrets wrapped, but @pulumi/policy unwraps them to plaintext, with no marker,
 * before `validateResource` runs (deserializeProperties(..., false) in its server.js; the
 * CrossGuard FAQ; pulumi/pulumi-policy#241, still open). What a policy does see is the resource
 * option `additionalSecretOutputs`, which the engine forwards in `args.opts`. The generated
 * Kubernetes Secret class sets ["data", "stringData"] in every SDK language, YAML and Helm
 * included (pulumi-kubernetes#1194, #1577; pulumi-yaml#526), and this program's ModelNamespace
 * repeats it; those fields are then encrypted in the state. A Secret registered without it (a
 * hand-rolled `pulumi.CustomResource("kubernetes:core/v1:Secret", ...)`, an old SDK) keeps the
 * registry credentials in plaintext in the state, which is what this rule refuses.
 */
export function checkPullSecret(props: Record<string, any>, secretOutputs: string[]): string[] {
  if (!isPullSecret(props)) {
    return [];
  }
  const problems: string[] = [];
  if (props.type !== PULL_SECRET_TYPE) {
    problems.push(`type is ${JSON.stringify(props.type ?? "Opaque")}: a pull secret must be type "${PULL_SECRET_TYPE}" with a ".dockerconfigjson" key, or the kubelet ignores it.`);
  }
  const field = ["data", "stringData"].find((f) => props[f]?.[".dockerconfigjson"] !== undefined);
  if (!field) {
    problems.push('data[".dockerconfigjson"] is missing: put the registry credentials under the ".dockerconfigjson" key of data (base64) or stringData.');
  } else if (!secretOutputs.includes(field)) {
    problems.push(
      `${field} is not a Pulumi secret (the resource's additionalSecretOutputs does not name "${field}"): create the Secret with @pulumi/kubernetes ` +
        `(k8s.core.v1.Secret marks data and stringData secret) or add additionalSecretOutputs: ["${field}"], so the registry credentials are encrypted in the state.`,
    );
  }
  return problems;
}

function forType(type: string, check: (props: Record<string, any>, args: ResourceValidationArgs) => string[]): ResourceValidation {
  return (args, reportViolation) => {
    if (args.type === type) {
      check(args.props, args).forEach((message) => reportViolation(message));
    }
  };
}

// ---- the policies ----

const isvcPolicy = (
  name: string,
  enforcementLevel: "mandatory" | "advisory",
  description: string,
  check: InferenceServiceCheck,
): ResourceValidationPolicy => ({ name, description, enforcementLevel, validateResource: forInferenceService(check) });

export const policies: ResourceValidationPolicy[] = [
  isvcPolicy("kserve-one-container-port", "mandatory", "The predictor's serving container declares exactly one port (Knative allows one).", checkOneContainerPort),
  isvcPolicy("kserve-probe-ports-match", "mandatory", "Every probe uses the container port, by number or by its name.", checkProbePorts),
  isvcPolicy("kserve-no-knative-reserved-port", "mandatory", "Knative-mode containers do not listen on a port Knative reserves.", checkNoReservedPort),
  isvcPolicy("kserve-port-env-matches-mode", "mandatory", "PORT env is absent in Knative mode (Knative injects it) and equals the container port in Standard mode.", checkPortEnv),
  isvcPolicy("kserve-probes-present", "mandatory", "The serving container has readiness and liveness probes.", checkProbesPresent),
  isvcPolicy("kserve-resources-set", "mandatory", "Every predictor container has CPU and memory requests and limits, each limit at least its request.", checkResources),
  isvcPolicy("kserve-image-pinned-by-digest", "mandatory", "Every predictor image is referenced by digest, never by a tag.", checkImageDigest),
  isvcPolicy("kserve-autoscaling-fits-mode", "mandatory", "The scaling metric, target and minimum fit the mode's autoscaler (Standard: HPA on cpu or memory, at least one replica; Knative: concurrency or rps).", checkAutoscalingFitsMode),
  isvcPolicy("kserve-canary-probes", "mandatory", "A canary's serving container has readiness and liveness probes, like the stable's.", checkCanaryProbes),
  {
    ...isvcPolicy("kserve-canary-share-limit", "mandatory", `A canary starts with at most ${DEFAULT_MAX_CANARY_PERCENT} % of the traffic unless configured (maxCanaryPercent).`, checkCanaryShare),
    configSchema: { properties: { maxCanaryPercent: { type: "integer", minimum: 0, maximum: 100, default: DEFAULT_MAX_CANARY_PERCENT } } },
  },
  isvcPolicy("kserve-container-not-root", "mandatory", "Predictor containers run as non-root without privilege escalation.", checkNotRoot),
  {
    name: "ecr-scan-on-push-immutable-tags",
    description: "ECR repositories scan images on push and refuse tag overwrites.",
    enforcementLevel: "mandatory",
    validateResource: forType(ECR_REPOSITORY_TYPE, checkEcrRepository),
  },
  {
    name: "pull-secret-dockerconfigjson-secret",
    description: "A registry pull secret is a kubernetes.io/dockerconfigjson Secret whose data is a Pulumi secret.",
    enforcementLevel: "mandatory",
    validateResource: forType(SECRET_TYPE, (props, args) => checkPullSecret(props, args.opts.additionalSecretOutputs ?? [])),
  },
  isvcPolicy("kserve-readiness-no-initial-delay", "advisory", `Readiness initialDelaySeconds is at most ${MAX_READINESS_DELAY_SECONDS} (every cold start pays it).`, checkReadinessDelay),
  isvcPolicy("kserve-liveness-not-readiness-path", "advisory", "Liveness does not probe the readiness path (slow model loads would become restart loops).", checkLivenessPath),
  isvcPolicy("kserve-wait-for-ready", "advisory", "`pulumi up` waits for the InferenceService (the pulumi.com/waitFor annotation, or this project's rollout watch), so a failed deploy fails it.", checkWaitFor),
  {
    ...isvcPolicy("kserve-memory-limit-minimum", "advisory", `The serving container's memory limit is at least what the model server needs (${MIN_MEMORY_LIMIT} unless configured).`, checkMemoryLimit),
    configSchema: { properties: { minMemoryLimit: { type: "string", default: MIN_MEMORY_LIMIT } } },
  },
  isvcPolicy("kserve-deployment-mode-set", "advisory", "The serving.kserve.io/deploymentMode annotation says Knative or Standard (or a legacy alias).", checkDeploymentModeSet),
];
