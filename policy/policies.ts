// The kserve-guardrails policies: the lab's failures (wrong port, no probes, a tag Knative cannot
// resolve, a root container, a plaintext pull secret) refused at `pulumi preview`, for this
// program and any other that deploys InferenceServices. index.ts only builds the PolicyPack from
// them (`new PolicyPack` starts a server), so the tests call each check directly.
import { ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { MIN_MEMORY_LIMIT } from "../core/serverNeeds";
import { checkImageDigest, checkMemoryLimit, checkNotRoot, checkResources } from "./containerChecks";
import { checkEcrRepository, checkPullSecret } from "./otherResources";
import { checkNoReservedPort, checkOneContainerPort, checkPortEnv, checkProbePorts } from "./portChecks";
import { checkCanaryProbes, checkLivenessPath, checkProbesPresent, checkReadinessDelay } from "./probeChecks";
import { checkAutoscalingFitsMode, checkCanaryShare, checkDeploymentModeSet, checkWaitFor, DEFAULT_MAX_CANARY_PERCENT } from "./serviceChecks";
import { ECR_REPOSITORY_TYPE, INFERENCE_SERVICE_TYPE, InferenceServiceCheck, inferenceServiceView, MAX_READINESS_DELAY_SECONDS, SECRET_TYPE } from "./view";

export * from "./view";
export * from "./portChecks";
export * from "./probeChecks";
export * from "./containerChecks";
export * from "./serviceChecks";
export * from "./otherResources";

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

function forType(type: string, check: (props: Record<string, any>, args: ResourceValidationArgs) => string[]): ResourceValidation {
  return (args, reportViolation) => {
    if (args.type === type) {
      check(args.props, args).forEach((message) => reportViolation(message));
    }
  };
}

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
