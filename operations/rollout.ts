// One look at a rollout: has the InferenceService's *current* spec reached its pods, and which
// pods are they? Ready alone cannot say: in Standard mode the old ReplicaSet keeps the Deployment
// available while the new pods crash-loop, so Ready stays True on a failed update.
import { PREDICTOR_LABEL, Target } from "./collect";
import { KubeApi, labelSelector, paths } from "./kubeApi";
import { condition, Condition, ContainerSpec, InferenceService, Pod } from "./snapshot";
import { normalizeDeploymentMode } from "../components/deploymentMode";
import { CONTAINER_NAME } from "../components/manifests";

/** What the rollout must reach. */
export interface RolloutTarget extends Target {
  /** `Knative`/`Serverless` or `Standard`/`RawDeployment`. */
  readonly mode: string;
  /** The InferenceService generation `pulumi up` applied; unset: whatever is current. */
  readonly generation?: number;
  /** The image the applied spec runs (`repo@sha256:…`), the stable one with a canary; unset: not checked. */
  readonly image?: string;
  /** The canary's image, when the applied spec has one. */
  readonly canaryImage?: string;
}

export interface RolloutObservation {
  readonly done: boolean;
  /** What the rollout is waiting for, or what serves once done. */
  readonly progress: string;
  /** The revision of the current spec: a ReplicaSet (Standard) or a Knative Revision. */
  readonly revision?: string;
  /** The current revision's pods (none of an older spec's). */
  readonly pods: Pod[];
  readonly service: InferenceService | null;
  /** The Deployment gave up (Standard mode: ProgressDeadlineExceeded). */
  readonly stalled?: string;
  /** The canary, when the spec has one: its revision and pods (Knative: the latest Revision). */
  readonly canary?: { readonly revision?: string; readonly pods: Pod[]; readonly done: boolean };
}

interface Deployment {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

interface ReplicaSet {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
}

export function isKnativeMode(mode: string): boolean {
  return normalizeDeploymentMode(mode) === "Knative";
}

/**
 * The predictor Deployment KServe's Standard mode makes: `<name>-predictor`, or
 * `<name>-<predictor name>-predictor` when `spec.predictor.name` is set (seen on KServe v0.20).
 */
export function predictorDeploymentName(name: string, predictorName?: string): string {
  return predictorName ? `${name}-${predictorName}-predictor` : `${name}-predictor`;
}

const REVISION = "deployment.kubernetes.io/revision";

const serverImage = (pod: Pod) => pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.image;
const readyCount = (pods: Pod[]) => pods.filter((p) => condition(p.status?.conditions, "Ready")?.status === "True").length;

export async function observeRollout(api: KubeApi, target: RolloutTarget): Promise<RolloutObservation> {
  const service = await api.getJsonOrNull<InferenceService>( paths.inferenceService(target.namespace, target.name));
  const waiting = (progress: string, rest: Partial<RolloutObservation> = {}): RolloutObservation => ({ done: false, progress, pods: [], service, ...rest });
  if (!service) {
    return waiting("InferenceService not found");
  }
  const result = isKnativeMode(target.mode) ? await knativeRevision(api, target, service) : await standardRevision(api, target, service);
  const other = target.image === undefined || result.canary?.pods === result.pods ? undefined : result.pods.map(serverImage).find((image) => image !== target.image);
  if (other !== undefined) {
    return { ...result, done: false, progress: `${result.revision ?? "the current revision"} runs ${other}, not ${target.image}` };
  }
  // While the service is not Ready its conditions say most about why.
  if (condition(service.status?.conditions, "Ready")?.status !== "True") {
    return { ...result, done: false, progress: `${result.progress}; ${describeConditions(service)}` };
  }
  return result;
}

/** "Ready=False RevisionMissing: …; PredictorReady=False …": the service's own account. */
export function describeConditions(service: InferenceService): string {
  const conditions = service.status?.conditions ?? [];
  if (conditions.length === 0) return "no conditions yet";
  return conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`).join("; ");
}

/**
 * Standard mode: the stable predictor's Deployment and each canary's (`spec.canary`, own
 * Deployment `<name>-<canary name>-predictor`), each complete, and KServe's CanaryPredictorReady.
 */
async function standardRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const entry = service.spec?.canary?.[0];
  // KServe moves ceil(min × percent / 100) of the stable's minimum replicas to a canary.
  const min = service.spec?.predictor?.minReplicas ?? 1;
  const canaryShare = entry ? Math.ceil((min * (entry.trafficPercent ?? 0)) / 100) : 0;
  const stable = await deploymentRevision(api, target, service, predictorDeploymentName(target.name, service.spec?.predictor?.name), target.image, service.spec?.predictor?.containers, min - canaryShare);
  if (!entry) {
    return stable;
  }
  const canary = await deploymentRevision(api, target, service, predictorDeploymentName(target.name, entry.predictor?.name), target.canaryImage, entry.predictor?.containers, canaryShare);
  const ready = condition(service.status?.conditions, "CanaryPredictorReady");
  const canaryDone = canary.done && ready?.status === "True";
  const canaryProgress = `canary at ${entry.trafficPercent} %: ${canary.progress}${canary.done && !canaryDone ? `; CanaryPredictorReady=${ready?.status ?? "unset"}` : ""}`;
  return {
    ...stable,
    done: stable.done && canaryDone,
    progress: `${stable.progress}; ${canaryProgress}`,
    canary: { revision: canary.revision, pods: canary.pods, done: canaryDone },
    stalled: stable.stalled ?? canary.stalled,
  };
}

/** One Deployment's newest ReplicaSet, complete as `kubectl rollout status` sees it, running `image` when given. */
async function deploymentRevision(
  api: KubeApi,
  target: RolloutTarget,
  service: InferenceService,
  name: string,
  expectedImage: string | undefined,
  specContainers: ContainerSpec[] | undefined,
  minReplicas: number,
): Promise<RolloutObservation> {
  const deployment = await api.getJsonOrNull<Deployment>( paths.deployment(target.namespace, name));
  const waiting = (progress: string, rest: Partial<RolloutObservation> = {}): RolloutObservation => ({ done: false, progress, pods: [], service, ...rest });
  if (!deployment) {
    return waiting(`Deployment ${name} not created yet`);
  }
  const image = deployment.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER_NAME)?.image;
  if (expectedImage !== undefined && image !== expectedImage) {
    return waiting(`Deployment ${name} still runs ${image ?? "no image"}; waiting for KServe to apply ${expectedImage}`);
  }
  // KServe has applied the spec when it says so, or when the Deployment's container carries it.
  const note = observedNote(target, service);
  const given = specContainers?.find((c) => c.name === CONTAINER_NAME || !c.name);
  const container = deployment.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER_NAME);
  if (note && !(given && appliedAs(given, container))) {
    return waiting(`${note}, and Deployment ${name} does not carry the spec yet; ${describeConditions(service)}`);
  }
  // Replica counts are not in the container: a canary added or removed shows here first.
  if ((deployment.spec?.replicas ?? 1) < minReplicas) {
    return waiting(`Deployment ${name} has ${deployment.spec?.replicas ?? 1} replicas; the spec asks for at least ${minReplicas}`);
  }
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) {
    return waiting(`Deployment ${name} generation ${deployment.metadata.generation} not yet observed`);
  }
  const revision = deployment.metadata.annotations?.[REVISION];
  const sets = await api.getJson<{ items: ReplicaSet[] }>(paths.replicaSets(target.namespace, labelSelector(deployment.spec?.selector?.matchLabels ?? { [PREDICTOR_LABEL]: target.name })));
  const newest = sets.items.find((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === "Deployment" && o.name === name) && rs.metadata.annotations?.[REVISION] === revision);
  const hash = newest?.metadata.labels?.["pod-template-hash"];
  if (!newest || !hash) {
    return waiting(`Deployment ${name} revision ${revision ?? "?"} has no ReplicaSet yet`);
  }
  const described = `ReplicaSet ${newest.metadata.name} (Deployment ${name} revision ${revision})`;
  const pods = await api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},pod-template-hash=${hash}`);
  const progressing = condition(status.conditions, "Progressing");
  const stalled = progressing?.reason === "ProgressDeadlineExceeded" ? `Deployment ${name}: ${progressing.message ?? "progress deadline exceeded"}` : undefined;
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const progress =
    updated < desired
      ? `${updated} of ${desired} pods of ${described} created, ${readyCount(pods)} ready`
      : (status.replicas ?? 0) > updated
        ? `${(status.replicas ?? 0) - updated} pods of an older revision still running beside ${described}`
        : (status.availableReplicas ?? 0) < updated
          ? `${status.availableReplicas ?? 0} of ${updated} pods of ${described} available`
          : `${described}: ${updated} of ${desired} pods available`;
  const done = updated >= desired && (status.replicas ?? 0) <= updated && (status.availableReplicas ?? 0) >= updated;
  return { done, progress, revision: described, pods, service, stalled };
}

/** Whether KServe has reported the applied generation as observed; a note on why not otherwise. */
function observedNote(target: RolloutTarget, service: InferenceService): string | undefined {
  const generation = target.generation ?? service.metadata.generation;
  const observed = service.status?.observedGeneration;
  return generation !== undefined && (observed ?? 0) < generation ? `KServe has not yet reconciled generation ${generation} (observed: ${observed ?? "none"})` : undefined;
}

/**
 * Every field the spec gives is in the Deployment's container as given (KServe adds defaults:
 * probe schemes, timeouts). Needed beside observedGeneration, which KServe v0.20 does not keep
 * current once predictors are named or canaried (seen on a real cluster: generation 5, observed 1).
 */
export function appliedAs(given: unknown, applied: unknown): boolean {
  if (Array.isArray(given)) {
    return Array.isArray(applied) && given.every((item, i) => appliedAs(item, applied[i]));
  }
  if (given !== null && typeof given === "object") {
    return applied !== null && typeof applied === "object" && Object.entries(given).every(([k, v]) => appliedAs(v, (applied as Record<string, unknown>)[k]));
  }
  return String(given) === String(applied);
}

/** Knative mode: the latest created Revision must be the latest ready one. */
async function knativeRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const note = observedNote(target, service);
  if (note) {
    return { done: false, progress: `${note}; ${describeConditions(service)}`, pods: [], service };
  }
  const predictor = service.status?.components?.predictor;
  const created = predictor?.latestCreatedRevision;
  if (!created) {
    return { done: false, progress: "no Knative Revision created yet", pods: [], service };
  }
  const pods = await api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},serving.knative.dev/revision=${created}`);
  const described = `Revision ${created}`;
  const done = predictor?.latestReadyRevision === created;
  const progress = done
    ? `${described}: ${readyCount(pods)} of ${pods.length} pods ready`
    : `${described} not ready yet (${readyCount(pods)} of ${pods.length} pods ready; latest ready: ${predictor?.latestReadyRevision ?? "none"})`;
  // With canaryTrafficPercent the latest Revision is the canary; the previous one keeps the rest.
  const percent = service.spec?.predictor?.canaryTrafficPercent;
  if (percent !== undefined) {
    return { done, progress: `canary at ${percent} %: ${progress}`, revision: described, pods, service, canary: { revision: described, pods, done } };
  }
  return { done, progress, revision: described, pods, service };
}
