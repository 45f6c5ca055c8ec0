// The rules between keys, and between keys and the platform (KServe, Knative, ECR, the server's
// needs); each problem names its key and says what to do.
import * as fs from "fs";
import * as path from "path";
import { defaultScaleMetric, scaleMetricProblem, scaleTargetProblem } from "../autoscaling";
import { CANARY_SUFFIX } from "../canary";
import { isKnative } from "../deploymentMode";
import { ecrRegistryOf, ECR_REPOSITORY_NAME } from "../imageReference";
import { KNATIVE_RESERVED_ENV, KNATIVE_RESERVED_PORTS } from "../knative";
import { MAX_KNATIVE_MODEL_NAME, MAX_NAME_PLUS_NAMESPACE } from "../names";
import { formatBytes, parseQuantity } from "../quantity";
import { MIN_MEMORY_LIMIT } from "../serverNeeds";
import { checkLabRules } from "./labRules";
import { collector } from "./problems";
import { RawConfig } from "./schema";
import { Settings } from "./types";

/** Rules that relate keys to each other or to the platform; each problem names its key. `raw` is the config as written. */
export function checkRules(s: Settings, raw: RawConfig, projectDir: string): string[] {
  const { problems, problem } = collector();
  const knative = isKnative(s);

  if (knative && s.modelName.length > MAX_KNATIVE_MODEL_NAME) {
    problem("modelName", s.modelName, `is ${s.modelName.length} characters; in Knative mode at most ${MAX_KNATIVE_MODEL_NAME} fit Knative's derived names (<name>-predictor-00001-private ≤ 63)`);
  }
  const rolloutOn = s.rollout.canaryPercent !== undefined;
  if (rolloutOn && s.rollout.stableImage === undefined) {
    problem("rollout.canaryPercent", s.rollout.canaryPercent, "needs rollout.stableImage, the digest that serves now (`pulumi stack output stableImageRef`); set it, and updates with another image go out as a canary");
  }
  if (rolloutOn && !knative && s.rollout.canaryPercent === 0) {
    problem("rollout.canaryPercent", 0, "gives a Standard-mode canary no pods (it runs ceil(replicas.min × percent / 100) of them), so there would be nothing to verify or promote; use at least 1");
  }
  if (!rolloutOn && s.rollout.stableImage !== undefined) {
    problem("rollout.stableImage", s.rollout.stableImage, "is used only with rollout.canaryPercent; set the canary's share, or remove it");
  }
  const canaryLength = rolloutOn && !knative ? CANARY_SUFFIX.length : 0;
  if (canaryLength > 0 && s.modelName.length + s.namespace.length + canaryLength > MAX_NAME_PLUS_NAMESPACE) {
    problem("modelName", s.modelName, `with namespace "${s.namespace}" makes the canary's host label <name>-canary-predictor-<namespace> longer than 63 characters; shorten one (together at most ${MAX_NAME_PLUS_NAMESPACE - canaryLength} with rollout on)`);
  } else if (s.modelName.length + s.namespace.length > MAX_NAME_PLUS_NAMESPACE) {
    problem("modelName", s.modelName, `with namespace "${s.namespace}" makes KServe's host label <name>-predictor-<namespace> longer than 63 characters; shorten one (together at most ${MAX_NAME_PLUS_NAMESPACE})`);
  }
  if (knative && KNATIVE_RESERVED_PORTS.includes(s.port)) {
    problem("port", s.port, `is reserved by Knative (${KNATIVE_RESERVED_PORTS.join(", ")}); pick another, e.g. 8000, and make the server listen on it`);
  }

  for (const kind of ["cpu", "memory"] as const) {
    const request = parseQuantity(s.resources.requests[kind]);
    const limit = parseQuantity(s.resources.limits[kind]);
    if (request !== undefined && limit !== undefined && limit < request) {
      problem(`resources.limits.${kind}`, s.resources.limits[kind], `is below resources.requests.${kind} (${s.resources.requests[kind]}); raise the limit or lower the request`);
    }
  }
  const memoryLimit = parseQuantity(s.resources.limits.memory);
  const minimum = parseQuantity(MIN_MEMORY_LIMIT) ?? 0;
  if (memoryLimit !== undefined && memoryLimit < minimum) {
    problem("resources.limits.memory", s.resources.limits.memory, `(${formatBytes(memoryLimit)}) is below the ${MIN_MEMORY_LIMIT} the model server needs; the pod would be OOMKilled. Use at least ${MIN_MEMORY_LIMIT}`);
  }

  if (s.replicas.min > s.replicas.max) {
    problem("replicas.min", s.replicas.min, `is above replicas.max (${s.replicas.max}); make min ≤ max`);
  }
  if (!knative && s.replicas.min < 1) {
    problem("replicas.min", s.replicas.min, "must be at least 1 in Standard mode (only Knative mode scales to zero)");
  }
  const metric = s.autoscaling.metric ?? defaultScaleMetric(s.deploymentMode);
  const metricProblem = scaleMetricProblem(metric, s.deploymentMode);
  if (s.autoscaling.metric !== undefined && metricProblem) {
    problem("autoscaling.metric", s.autoscaling.metric, `${metricProblem} (deploymentMode is ${s.deploymentMode})`);
  }
  const targetProblem = s.autoscaling.target === undefined ? undefined : scaleTargetProblem(metric, s.autoscaling.target);
  if (targetProblem) {
    problem("autoscaling.target", s.autoscaling.target, `${targetProblem}${s.autoscaling.metric === undefined ? ` (the ${metric} metric is the ${s.deploymentMode} mode default)` : ""}`);
  }

  const probeKeys = [["readiness", s.probes.readiness], ["liveness", s.probes.liveness], ["startup", s.probes.startup]] as const;
  for (const [name, probe] of probeKeys) {
    if (probe.periodSeconds === 0 && !(name === "readiness" && knative)) {
      problem(`probes.${name}.periodSeconds`, 0, `must be at least 1${name === "readiness" ? " in Standard mode (0, aggressive probing, is Knative's alone)" : ""}`);
    }
  }
  if (s.probes.readiness.periodSeconds === 0) {
    for (const field of ["timeoutSeconds", "failureThreshold"] as const) {
      if (s.probes.readiness[field] !== undefined) {
        problem(`probes.readiness.${field}`, s.probes.readiness[field], "is rejected by Knative when probes.readiness.periodSeconds is 0; remove it or set periodSeconds ≥ 1");
      }
    }
  }

  const access = s.nodeRoleAccess;
  if (access.enabled && access.roleNames.length === 0 && access.nodeGroups.length === 0) {
    problem("nodeRoleAccess.enabled", true, "but neither nodeRoleAccess.roleNames nor nodeRoleAccess.nodeGroups is set; list the node roles or groups, or set enabled: false if the nodes can already pull from ECR");
  }
  if (access.enabled && access.nodeGroups.length > 0 && !s.cluster.name) {
    problem("nodeRoleAccess.nodeGroups", access.nodeGroups, "needs cluster.name to look the node groups up; set cluster.name or use nodeRoleAccess.roleNames");
  }
  const registry = s.image ? ecrRegistryOf(s.image) : undefined;
  if (s.pullSecret.enabled && s.image && !registry) {
    problem("pullSecret.enabled", true, `makes an ECR pull secret, but image "${s.image}" is not in ECR; turn it off for this image`);
  }
  // The token comes from aws:region's ECR: it would not open another region's registry.
  if (s.pullSecret.enabled && registry && s.cluster.region && registry.region !== s.cluster.region) {
    problem("pullSecret.enabled", true, `makes a pull secret for ECR in aws:region (${s.cluster.region}), but image "${s.image}" is in ${registry.region}; use node-role access instead, or an image in ${s.cluster.region}`);
  }

  checkLabRules(s, raw, problem);
  for (const reserved of ["PORT", "MODEL_NAME"]) {
    if (reserved in s.env) {
      problem(`env.${reserved}`, s.env[reserved], `is set by the program (from ${reserved === "PORT" ? "port" : "modelName"}); remove it from env`);
    }
  }
  for (const reserved of knative ? KNATIVE_RESERVED_ENV : []) {
    if (reserved in s.env) {
      problem(`env.${reserved}`, s.env[reserved], "is set by Knative, which refuses it from the user in Knative mode; remove it from env");
    }
  }
  if (!s.image && !ECR_REPOSITORY_NAME.test(s.ecr.repositoryName)) {
    problem("ecr.repositoryName", s.ecr.repositoryName, "(derived from the stack and model names) is not a valid ECR repository name; set ecr.repositoryName");
  }
  if (!s.image) {
    for (const [name, file] of [["build.context", s.build.context], ["build.dockerfile", s.build.dockerfile]] as const) {
      const where = path.resolve(projectDir, file);
      const wanted = name === "build.context" ? "folder" : "Dockerfile";
      if (!fs.existsSync(where)) {
        problem(name, file, `does not exist (relative to ${projectDir}); point it at the model server's ${wanted} or set image`);
      } else if (fs.statSync(where).isDirectory() !== (name === "build.context")) {
        problem(name, file, `is a ${fs.statSync(where).isDirectory() ? "folder" : "file"}; point it at the model server's ${wanted}${name === "build.dockerfile" ? ` (e.g. "${path.join(file, "Dockerfile")}")` : ""}`);
      }
    }
  }
  return problems;
}

