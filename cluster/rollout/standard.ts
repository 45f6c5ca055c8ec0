// Standard mode: the stable predictor's Deployment and the canary InferenceService's, each
// complete as `kubectl rollout status` sees it.
import { PREDICTOR_LABEL } from "../collect";
import { KubeApi, labelSelector, paths } from "../kubeApi";
import { condition, Condition, InferenceService, Pod, servingContainer } from "../snapshot";
import { canaryServiceName } from "../../core/canary";
import { CONTAINER_NAME } from "../../core/manifests";
import { predictorDeploymentName } from "../../core/names";
import { carriesSpec, generationNotObserved } from "./kserveBehaviour";
import { describeConditions, readyCount } from "./describe";
import { RolloutObservation, RolloutTarget, waiting } from "./types";

type DeploymentContainer = { name: string; image?: string; env?: { name: string }[] } & Record<string, unknown>;

interface Deployment {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: DeploymentContainer[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

interface ReplicaSet {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
}

const REVISION = "deployment.kubernetes.io/revision";

/**
 * The stable predictor's Deployment, and with a canary (target.canaryImage) the canary
 * InferenceService `<name>-canary`'s, each complete, the canary also Ready by KServe's word.
 */
export async function standardRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const stable = await deploymentRevision(api, target, service);
  if (target.canaryImage === undefined) {
    return stable;
  }
  const canaryTarget = { ...target, name: canaryServiceName(target.name), image: target.canaryImage, canaryImage: undefined, generation: undefined };
  const canaryService = await api.getJsonOrNull<InferenceService>(paths.inferenceService(target.namespace, canaryTarget.name));
  const canary = canaryService ? await deploymentRevision(api, canaryTarget, canaryService) : waiting(null, `InferenceService ${canaryTarget.name} not found`);
  const ready = canaryService ? condition(canaryService.status?.conditions, "Ready")?.status : undefined;
  const canaryDone = canary.done && ready === "True";
  const canaryProgress = `canary ${canaryTarget.name}: ${canary.progress}${canary.done && !canaryDone ? `; Ready=${ready ?? "unset"}` : ""}`;
  return {
    ...stable,
    done: stable.done && canaryDone,
    progress: `${stable.progress}; ${canaryProgress}`,
    canary: { revision: canary.revision, pods: canary.pods, done: canaryDone, service: canaryService },
    stalled: stable.stalled ?? canary.stalled,
  };
}

/** One Deployment's newest ReplicaSet, complete as `kubectl rollout status` sees it, running `image` when given. */
async function deploymentRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const name = predictorDeploymentName(target.name);
  const expectedImage = target.image;
  const minReplicas = service.spec?.predictor?.minReplicas ?? 1;
  const deployment = await api.getJsonOrNull<Deployment>(paths.deployment(target.namespace, name));
  if (!deployment) {
    return waiting(service, `Deployment ${name} not created yet`);
  }
  const container = deployment.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER_NAME);
  const image = container?.image;
  if (expectedImage !== undefined && image !== expectedImage) {
    return waiting(service, `Deployment ${name} still runs ${image ?? "no image"}; waiting for KServe to apply ${expectedImage}`);
  }
  // KServe has applied the spec only when the Deployment's container carries it: its
  // observedGeneration says nothing reliable in Standard mode (see generationNotObserved).
  const given = servingContainer(service.spec?.predictor?.containers);
  if (given && !carriesSpec(given, container)) {
    const note = generationNotObserved(target, service);
    return waiting(service, `Deployment ${name} does not carry the applied spec yet${note ? `; ${note}` : ""}; ${describeConditions(service)}`);
  }
  // Replica counts are not in the container: a canary added or removed shows here first.
  if ((deployment.spec?.replicas ?? 1) < minReplicas) {
    return waiting(service, `Deployment ${name} has ${deployment.spec?.replicas ?? 1} replicas; the spec asks for at least ${minReplicas}`);
  }
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) {
    return waiting(service, `Deployment ${name} generation ${deployment.metadata.generation} not yet observed`);
  }
  const revision = deployment.metadata.annotations?.[REVISION];
  const sets = await api.getJson<{ items: ReplicaSet[] }>(paths.replicaSets(target.namespace, labelSelector(deployment.spec?.selector?.matchLabels ?? { [PREDICTOR_LABEL]: target.name })));
  const newest = sets.items.find((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === "Deployment" && o.name === name) && rs.metadata.annotations?.[REVISION] === revision);
  const hash = newest?.metadata.labels?.["pod-template-hash"];
  if (!newest || !hash) {
    return waiting(service, `Deployment ${name} revision ${revision ?? "?"} has no ReplicaSet yet`);
  }
  const described = `ReplicaSet ${newest.metadata.name} (Deployment ${name} revision ${revision})`;
  const pods = await api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},pod-template-hash=${hash}`);
  const progressing = condition(status.conditions, "Progressing");
  const stalled = progressing?.reason === "ProgressDeadlineExceeded" ? `Deployment ${name}: ${progressing.message ?? "progress deadline exceeded"}` : undefined;
  return { ...rolloutStatus(status, deployment.spec?.replicas ?? 1, described, pods), revision: described, pods, service, stalled };
}

/** `kubectl rollout status`: every desired pod updated, no older pod left, every updated pod available. */
function rolloutStatus(status: NonNullable<Deployment["status"]>, desired: number, described: string, pods: Pod[]): { done: boolean; progress: string } {
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const progress =
    updated < desired
      ? `${updated} of ${desired} pods of ${described} created, ${readyCount(pods)} ready`
      : total > updated
        ? `${total - updated} pods of an older revision still running beside ${described}`
        : available < updated
          ? `${available} of ${updated} pods of ${described} available`
          : `${described}: ${updated} of ${desired} pods available`;
  return { done: updated >= desired && total <= updated && available >= updated, progress };
}
