// Settings: the only place stack config is read. Reads every `model-serving:*` key, applies the
// defaults, checks every rule, and throws one error listing every bad key, before any resource
// exists.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { closest } from "fastest-levenshtein";
import { z } from "zod";
import { defaultScaleMetric, ScaleMetric, scaleMetricProblem, scaleTargetProblem } from "./autoscaling";
import { PREDICTOR_NAME_LENGTH, RolloutSettings } from "./canary";
import { configSchema, ECR_REPOSITORY_NAME, RawConfig } from "./configSchema";
import { DeploymentMode, isKnative, isStandard, normalizeDeploymentMode } from "./deploymentMode";
import { DEFAULT_KSERVE_VERSION, KSERVE_VERSION, parseKServeVersion, sameRelease } from "./kserveRelease";
import { formatBytes, parseQuantity } from "./quantity";
import { MIN_MEMORY_LIMIT } from "./serverNeeds";

export const PROJECT = "model-serving";

/** Ports Knative's queue-proxy and activator use; a user container may not listen on them. */
export const KNATIVE_RESERVED_PORTS = [8008, 8012, 8013, 8022, 9090, 9091];

/** The longest model name whose Knative children fit a 63-character name: `<name>-predictor-00001-private`. */
export const MAX_KNATIVE_MODEL_NAME = 63 - "-predictor-00001-private".length;

/** KServe's host label is `<name>-predictor-<namespace>`, at most 63 characters. */
export const MAX_NAME_PLUS_NAMESPACE = 63 - "-predictor-".length;

export { MIN_MEMORY_LIMIT } from "./serverNeeds";

export interface ProbeSettings {
  readonly path: string;
  /** @default 0: every delay is paid by each pod start, including each scale from zero. */
  readonly initialDelaySeconds: number;
  /** 0 means Knative's aggressive readiness probing (Knative-mode readiness only). */
  readonly periodSeconds: number;
  /** Unset when periodSeconds is 0: Knative rejects it there. */
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface ClusterSettings {
  /** The EKS cluster to deploy to (lab mode: to create). @default "model-serving-<stack>" when create */
  readonly name?: string;
  readonly region?: string;
  /** Lab mode: create the cluster, its node group and KServe, and remove them on destroy. @default false */
  readonly create: boolean;
  /** Lab mode: Kubernetes version. @default "1.33" */
  readonly version: string;
  /** Lab mode: node instance type. @default "t3.large" */
  readonly instanceType: string;
  /** Lab mode: node group sizes. @default { min: 1, desired: 2, max: 3 } */
  readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
  /** Lab mode: the VPC and subnets; unset, the account's default VPC. */
  readonly vpcId?: string;
  readonly subnetIds: string[];
}

export interface Settings {
  readonly stack: string;
  /** InferenceService name; also the model name the server answers to. @default "california-housing" */
  readonly modelName: string;
  /** @default "model-serving" */
  readonly namespace: string;
  /** false adopts an existing namespace (a Kubeflow profile) and never deletes it. @default true */
  readonly createNamespace: boolean;
  /** The mode, legacy names normalised (Serverless is Knative, RawDeployment is Standard). @default "Knative" ("Standard" in lab mode) */
  readonly deploymentMode: DeploymentMode;
  /** The cluster's KServe release, as written; it decides the names the mode annotation uses. @default "0.20" */
  readonly kserveVersion: string;
  /** The one port: container port, every probe, the image build arg and (Standard mode) PORT. @default 8000 */
  readonly port: number;
  /** An existing image by digest; set, nothing is built and no repository is created. */
  readonly image?: string;
  readonly build: { readonly context: string; readonly dockerfile: string; readonly platform: string };
  readonly ecr: {
    readonly repositoryName: string;
    readonly forceDelete: boolean;
    readonly keepTaggedImages: number;
    readonly kmsKeyArn?: string;
  };
  readonly nodeRoleAccess: { readonly enabled: boolean; readonly roleNames: string[]; readonly nodeGroups: string[] };
  readonly pullSecret: { readonly enabled: boolean };
  readonly cluster: ClusterSettings;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  readonly replicas: { readonly min: number; readonly max: number };
  /** Canary rollouts: the stable digest and the canary's share (components/canary.ts). */
  readonly rollout: RolloutSettings;
  /** What the autoscaler scales on (`scaleMetric`, `scaleTarget`); unset: KServe's default for the mode. */
  readonly autoscaling: { readonly metric?: ScaleMetric; readonly target?: number };
  readonly probes: {
    readonly readiness: ProbeSettings;
    readonly liveness: ProbeSettings;
    readonly startup: ProbeSettings & { readonly enabled: boolean };
  };
  /** How long `pulumi up` waits for the InferenceService to be Ready. @default 600 */
  readonly readyTimeoutSeconds: number;
  /** Extra container environment. PORT and MODEL_NAME come from `port` and `modelName`. */
  readonly env: Readonly<Record<string, string>>;
}

/** Config that fails validation: one message, one line per bad key. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid ${PROJECT} config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
    this.name = "SettingsError";
  }
}

export interface ParseOptions {
  /** Stack name: part of the default ECR repository name. */
  readonly stack: string;
  /** Where `build.context` and `build.dockerfile` are relative to. @default process.cwd() */
  readonly projectDir?: string;
}

/**
 * Settings from a stack's config map (`model-serving:port` → 8000, `aws:region` → "..."), as
 * `Pulumi.<stack>.yaml` holds it. Throws SettingsError naming every bad key.
 */
export function parseSettings(config: Record<string, unknown>, options: ParseOptions): Settings {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${PROJECT}:`)) {
      own[key.slice(PROJECT.length + 1)] = value;
    }
  }
  const parsed = configSchema.safeParse(own, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  // With bad values left out, the rules between keys still run, so one error lists every bad key.
  const raw = parsed.success ? parsed.data : configSchema.safeParse(withoutBadValues(own, parsed.error.issues)).data;
  if (raw) {
    const settings = applyDefaults(raw, options.stack, stringOrUndefined(config["aws:region"]));
    const reported = new Set(problems.map(problemKey));
    problems.push(...checkRules(settings, raw, options.projectDir ?? process.cwd()).filter((p) => !reported.has(problemKey(p))));
    if (problems.length === 0) {
      return settings;
    }
  }
  throw new SettingsError(problems);
}

function problemKey(problem: string): string {
  return problem.slice(0, problem.indexOf(": "));
}

/** A copy of the config without the values the schema refused. */
function withoutBadValues(own: Record<string, unknown>, issues: z.core.$ZodIssue[]): Record<string, unknown> {
  const copy = structuredClone(own);
  for (const issue of issues) {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const where of paths) {
      const parent = where.slice(0, -1).reduce<any>((node, part) => node?.[part as string], copy);
      if (parent && typeof parent === "object") {
        delete parent[where[where.length - 1] as string];
      }
    }
  }
  return copy;
}

/**
 * Pulumi hands every config value over as a string, maps and lists as JSON. Only those are
 * decoded here: the schema reads numbers and booleans from text itself, so a name such as
 * "123" stays a string, exactly as the stack file (and so render) has it.
 */
export function decodeConfigValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) {
    return value;
  }
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function key(pathParts: readonly PropertyKey[]): string {
  return `${PROJECT}:${pathParts.map(String).join(".")}`;
}

const TOP_LEVEL_KEYS = Object.keys(configSchema.shape);

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknown) => {
      const known = issue.path.length === 0 ? TOP_LEVEL_KEYS : Object.keys((issue.input as Record<string, unknown>) ?? {}).filter((k) => k !== unknown);
      const hint = issue.path.length === 0 ? ` (did you mean "${key([nearestKey(unknown, known)])}"?)` : "";
      return `${key([...issue.path, unknown])}: is not a setting of this program${hint}; see the README's config table`;
    });
  }
  // A bad map key (env names) carries its own rule's message inside.
  const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
  const shown = issue.input === undefined ? "" : `${JSON.stringify(issue.input)} `;
  return [`${key(issue.path)}: ${shown}${message}`];
}

/** The known key a misspelt one most likely meant: one contained in the other, else the closest spelling. */
function nearestKey(unknown: string, known: string[]): string {
  const lower = unknown.toLowerCase();
  return known.find((k) => lower.includes(k.toLowerCase()) || k.toLowerCase().includes(lower)) ?? closest(unknown, known);
}

/**
 * Settings from schema-valid config with every default filled in, not yet checked against the
 * rules between keys. Exported for the README's defaults test; programs use parseSettings.
 */
export function applyDefaults(raw: RawConfig, stack: string, region: string | undefined): Settings {
  const modelName = raw.modelName ?? "california-housing";
  // A lab installs KServe without Knative, so it serves in Standard mode; elsewhere Knative is KServe's default.
  const labCluster = raw.cluster?.create ?? false;
  const deploymentMode = normalizeDeploymentMode(raw.deploymentMode) ?? (labCluster ? "Standard" : "Knative");
  const knative = isKnative({ deploymentMode });
  const readiness = raw.probes?.readiness ?? {};
  // Knative: aggressive probing (period 0) makes a pod Ready within ~50 ms of loading.
  const readinessPeriod = readiness.periodSeconds ?? (knative ? 0 : 5);
  const readinessPath = readiness.path ?? "/health";
  const startup = raw.probes?.startup ?? {};
  const liveness = raw.probes?.liveness ?? {};
  return {
    stack,
    modelName,
    namespace: raw.namespace ?? "model-serving",
    createNamespace: raw.createNamespace ?? true,
    deploymentMode,
    kserveVersion: raw.kserveVersion ?? DEFAULT_KSERVE_VERSION,
    port: raw.port ?? 8000,
    image: raw.image,
    build: {
      context: raw.build?.context ?? "app",
      dockerfile: raw.build?.dockerfile ?? path.join(raw.build?.context ?? "app", "Dockerfile"),
      platform: raw.build?.platform ?? "linux/amd64",
    },
    ecr: {
      repositoryName: raw.ecr?.repositoryName ?? `${PROJECT}/${stack}/${modelName}`.toLowerCase(),
      forceDelete: raw.ecr?.forceDelete ?? labCluster,
      keepTaggedImages: raw.ecr?.keepTaggedImages ?? 10,
      kmsKeyArn: raw.ecr?.kmsKeyArn,
    },
    nodeRoleAccess: {
      // A lab's own node role carries the ECR policy: no shared role to change.
      enabled: raw.nodeRoleAccess?.enabled ?? !labCluster,
      roleNames: raw.nodeRoleAccess?.roleNames ?? [],
      nodeGroups: raw.nodeRoleAccess?.nodeGroups ?? [],
    },
    pullSecret: { enabled: raw.pullSecret?.enabled ?? false },
    cluster: {
      name: raw.cluster?.name ?? (labCluster ? `${PROJECT}-${stack}` : undefined),
      region,
      create: labCluster,
      version: raw.cluster?.version ?? "1.33",
      instanceType: raw.cluster?.instanceType ?? "t3.large",
      nodes: { min: raw.cluster?.nodes?.min ?? 1, desired: raw.cluster?.nodes?.desired ?? 2, max: raw.cluster?.nodes?.max ?? 3 },
      vpcId: raw.cluster?.vpcId,
      subnetIds: raw.cluster?.subnetIds ?? [],
    },
    resources: {
      requests: {
        cpu: String(raw.resources?.requests?.cpu ?? "500m"),
        memory: String(raw.resources?.requests?.memory ?? "256Mi"),
      },
      limits: {
        cpu: String(raw.resources?.limits?.cpu ?? "1"),
        memory: String(raw.resources?.limits?.memory ?? "512Mi"),
      },
    },
    replicas: { min: raw.replicas?.min ?? 1, max: raw.replicas?.max ?? 3 },
    autoscaling: { metric: raw.autoscaling?.metric, target: raw.autoscaling?.target },
    rollout: { canaryPercent: raw.rollout?.canaryPercent, stableImage: raw.rollout?.stableImage },
    probes: {
      readiness: {
        path: readinessPath,
        initialDelaySeconds: readiness.initialDelaySeconds ?? 0,
        periodSeconds: readinessPeriod,
        timeoutSeconds: readiness.timeoutSeconds ?? (readinessPeriod === 0 ? undefined : 2),
        failureThreshold: readiness.failureThreshold ?? (readinessPeriod === 0 ? undefined : 3),
      },
      liveness: {
        path: liveness.path ?? "/v2/health/live",
        initialDelaySeconds: liveness.initialDelaySeconds ?? 0,
        periodSeconds: liveness.periodSeconds ?? 10,
        timeoutSeconds: liveness.timeoutSeconds ?? 2,
        failureThreshold: liveness.failureThreshold ?? 3,
      },
      // Covers the model load: up to periodSeconds × failureThreshold (2 min) before liveness starts.
      startup: {
        enabled: startup.enabled ?? !knative,
        path: startup.path ?? readinessPath,
        initialDelaySeconds: startup.initialDelaySeconds ?? 0,
        periodSeconds: startup.periodSeconds ?? 2,
        timeoutSeconds: startup.timeoutSeconds ?? 2,
        failureThreshold: startup.failureThreshold ?? 60,
      },
    },
    readyTimeoutSeconds: raw.readyTimeoutSeconds ?? 600,
    env: raw.env ?? {},
  };
}

/** Records one problem: the key, its value as written, what is wrong and what to do. */
type Report = (name: string, value: unknown, text: string) => void;

function collector(): { problems: string[]; problem: Report } {
  const problems: string[] = [];
  return { problems, problem: (name, value, text) => problems.push(`${PROJECT}:${name}: ${JSON.stringify(value)} ${text}`) };
}

/** Environment variables Knative sets itself and refuses from the user. */
const KNATIVE_RESERVED_ENV = ["K_SERVICE", "K_CONFIGURATION", "K_REVISION"];

/** Rules that relate keys to each other or to the platform; each problem names its key. `raw` is the config as written. */
function checkRules(s: Settings, raw: RawConfig, projectDir: string): string[] {
  const { problems, problem } = collector();
  const knative = isKnative(s);

  if (knative && s.modelName.length > MAX_KNATIVE_MODEL_NAME) {
    problem("modelName", s.modelName, `is ${s.modelName.length} characters; in Knative mode at most ${MAX_KNATIVE_MODEL_NAME} fit Knative's derived names (<name>-predictor-00001-private ≤ 63)`);
  }
  const rolloutOn = s.rollout.canaryPercent !== undefined;
  if (rolloutOn && s.rollout.stableImage === undefined) {
    problem("rollout.canaryPercent", s.rollout.canaryPercent, "needs rollout.stableImage, the digest that serves now (`pulumi stack output imageRef`); set it, and updates with another image go out as a canary");
  }
  if (rolloutOn && !knative) {
    // KServe gives a Standard-mode canary ceil(min × percent / 100) of the stable's minimum replicas.
    const percent = s.rollout.canaryPercent!;
    const stableKeeps = (min: number) => min - Math.ceil((min * percent) / 100);
    if (percent === 100) {
      problem("rollout.canaryPercent", percent, "leaves the stable predictor no pods in Standard mode (KServe moves all of its replicas to the canary); use less than 100, and promote the canary instead");
    } else if (stableKeeps(s.replicas.min) < 1) {
      let needed = s.replicas.min + 1;
      while (stableKeeps(needed) < 1) needed++;
      problem("replicas.min", s.replicas.min, `leaves the stable predictor no pods beside a ${percent} % canary (KServe gives the canary ceil(min × ${percent} / 100) of them); raise it to at least ${needed}`);
    }
  }
  if (!rolloutOn && s.rollout.stableImage !== undefined) {
    problem("rollout.stableImage", s.rollout.stableImage, "is used only with rollout.canaryPercent; set the canary's share, or remove it");
  }
  if (rolloutOn && s.modelName.length + s.namespace.length + PREDICTOR_NAME_LENGTH > MAX_NAME_PLUS_NAMESPACE) {
    problem("modelName", s.modelName, `with namespace "${s.namespace}" and a canary's predictor name (${PREDICTOR_NAME_LENGTH} characters) makes KServe's host label longer than 63 characters; shorten one (together at most ${MAX_NAME_PLUS_NAMESPACE - PREDICTOR_NAME_LENGTH} with rollout on)`);
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
      if (!fs.existsSync(path.resolve(projectDir, file))) {
        problem(name, file, `does not exist (relative to ${projectDir}); point it at the model server's ${name === "build.context" ? "folder" : "Dockerfile"} or set image`);
      }
    }
  }
  return problems;
}

/** Lab mode (`cluster.create`): what the created cluster and its KServe install need. */
function checkLabRules(s: Settings, raw: RawConfig, problem: Report): void {
  const c = s.cluster;
  const labOnly = c.vpcId !== undefined || c.subnetIds.length > 0;
  if (!c.create) {
    if (labOnly) {
      problem(c.vpcId ? "cluster.vpcId" : "cluster.subnetIds", c.vpcId ?? c.subnetIds, "is used only when cluster.create is true; remove it or set cluster.create");
    }
    return;
  }
  if (!isStandard(s)) {
    problem("deploymentMode", raw.deploymentMode, "cannot be used with cluster.create: the lab installs KServe without Knative; use Standard, or leave deploymentMode unset");
  }
  // The lab installs one release: the annotation's names must be that release's.
  const installed = parseKServeVersion(KSERVE_VERSION)!;
  const stated = parseKServeVersion(s.kserveVersion);
  if (stated && !sameRelease(stated, installed)) {
    problem("kserveVersion", s.kserveVersion, `conflicts with cluster.create: the lab installs KServe ${KSERVE_VERSION}; remove kserveVersion or set it to "${DEFAULT_KSERVE_VERSION}"`);
  }
  if (s.nodeRoleAccess.enabled) {
    problem("nodeRoleAccess.enabled", true, "is not needed with cluster.create: the lab's node role already carries AmazonEC2ContainerRegistryReadOnly; remove nodeRoleAccess");
  }
  if (!s.cluster.region) {
    problem("cluster.create", true, "needs aws:region (where the lab cluster is created); set aws:region");
  }
  if (c.nodes.min > c.nodes.desired || c.nodes.desired > c.nodes.max) {
    problem("cluster.nodes", c.nodes, "must satisfy min ≤ desired ≤ max");
  }
  if ((c.vpcId === undefined) !== (c.subnetIds.length === 0)) {
    problem(c.vpcId ? "cluster.subnetIds" : "cluster.vpcId", c.vpcId ? c.subnetIds : c.vpcId ?? null, "must be set together with " + (c.vpcId ? "cluster.vpcId" : "cluster.subnetIds") + ", or neither (the default VPC)");
  } else if (c.subnetIds.length === 1) {
    problem("cluster.subnetIds", c.subnetIds, "must list subnets in at least two availability zones (EKS requires two)");
  }
}

/** The ECR registry host and account of an image reference, if it is in ECR. */
export function ecrRegistryOf(image: string): { host: string; accountId: string; region: string } | undefined {
  const match = /^((\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\//.exec(image);
  return match ? { host: match[1], accountId: match[2], region: match[3] } : undefined;
}

/** Settings of the running Pulumi stack. */
export function readSettings(): Settings {
  const config = Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).map(([name, value]) => [name, decodeConfigValue(value)]));
  return parseSettings(config, { stack: pulumi.getStack() });
}
