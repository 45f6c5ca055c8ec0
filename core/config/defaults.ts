// The default of every key, in one place (the README's config table is checked against these).
import * as path from "path";
import { normalizeDeploymentMode, isKnative } from "../deploymentMode";
import { DEFAULT_KSERVE_VERSION } from "../kserveRelease";
import { DEFAULT_ANALYSIS } from "../analysis";
import { RawConfig } from "./schema";
import { PROJECT, Settings } from "./types";

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
  // Standard: every 2 s, so a started pod turns Ready (and a rollout moves on) within 2 s of loading.
  const readinessPeriod = readiness.periodSeconds ?? (knative ? 0 : 2);
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
    rollout: {
      canaryPercent: raw.rollout?.canaryPercent,
      stableImage: raw.rollout?.stableImage,
      analysis: {
        requests: raw.rollout?.analysis?.requests ?? DEFAULT_ANALYSIS.requests,
        maxErrorRatePercent: raw.rollout?.analysis?.maxErrorRatePercent ?? DEFAULT_ANALYSIS.maxErrorRatePercent,
        maxP99RatioPercent: raw.rollout?.analysis?.maxP99RatioPercent ?? DEFAULT_ANALYSIS.maxP99RatioPercent,
        p99ToleranceMs: raw.rollout?.analysis?.p99ToleranceMs ?? DEFAULT_ANALYSIS.p99ToleranceMs,
      },
    },
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
    shutdownDelaySeconds: raw.shutdownDelaySeconds ?? 5,
    env: raw.env ?? {},
  };
}
