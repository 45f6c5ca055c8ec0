// Knative mode: the latest created Revision must be the latest ready one. With
// `canaryTrafficPercent` the latest Revision is the canary and the stable one is KServe's
// `latestRolledoutRevision` (the Revision that last had 100 %), which takes the rest.
import { PREDICTOR_LABEL, Target } from "../collect";
import { KubeApi, KubeApiError, paths } from "../kubeApi";
import { ContainerSpec, InferenceService, Pod, REVISION_LABEL, servingContainer } from "../snapshot";
import { carriesSpec, generationNotObserved, knativeCanaryPercent } from "./kserveBehaviour";
import { predictorKnativeServiceName } from "../../core/names";
import { describeConditions, readyCount } from "./describe";
import { RolloutObservation, RolloutTarget, waiting } from "./types";

type Revision = { spec?: { containers?: ContainerSpec[] } };
type KnativeService = { metadata: { generation?: number }; status?: { observedGeneration?: number; latestCreatedRevisionName?: string } };

/** A Knative object, or undefined when it cannot be read (not found by the name KServe uses, or not allowed). */
async function readKnative<T>(api: KubeApi, path: string): Promise<T | undefined> {
  try {
    return (await api.getJsonOrNull<T>(path)) ?? undefined;
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 403) return undefined;
    throw e;
  }
}

/**
 * Has Knative reconciled the newest spec KServe gave its Service, and is KServe's copy of its
 * status current? Undefined when so (or when the Knative Service cannot be read), else what to wait for.
 */
function knativeServiceBehind(ksvc: KnativeService | undefined, name: string, created: string): string | undefined {
  if (!ksvc) return undefined;
  const { generation } = ksvc.metadata;
  const observed = ksvc.status?.observedGeneration;
  if (generation !== undefined && observed !== generation) {
    return `Knative Service ${name} at generation ${generation}, observed ${observed ?? "none"}: waiting for Knative to reconcile it`;
  }
  const latest = ksvc.status?.latestCreatedRevisionName;
  if (latest !== undefined && latest !== created) {
    return `Knative's latest Revision is ${latest}, KServe still reports ${created}: waiting for KServe to copy the status`;
  }
  return undefined;
}

/** One Knative Revision's live pods. */
export function revisionPods(api: KubeApi, target: Target, revision: string): Promise<Pod[]> {
  return api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},${REVISION_LABEL}=${revision}`);
}

export async function knativeRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const predictor = service.status?.components?.predictor;
  const created = predictor?.latestCreatedRevision;
  if (!created) {
    return waiting(service, "no Knative Revision created yet");
  }
  const percent = knativeCanaryPercent(service);
  // Knative must have reconciled the Knative Service's newest spec (its own generation and
  // observedGeneration), and the latest created Revision must carry this update's spec. KServe's
  // observedGeneration is the Knative Service's counter (inference_service_status.go), not the
  // InferenceService's: it passed a rollback's watch on the canary's Revision, and can hold a
  // healthy service forever. Only where neither can be read (RBAC without `get` on Knative
  // services and revisions) is it the fallback.
  const ksvcName = predictorKnativeServiceName(target.name);
  const behind = knativeServiceBehind(await readKnative<KnativeService>(api, paths.knativeService(target.namespace, ksvcName)), ksvcName, created);
  if (behind) {
    return waiting(service, `${behind}; ${describeConditions(service)}`);
  }
  const revision = await readKnative<Revision>(api, paths.knativeRevision(target.namespace, created));
  if (revision === undefined) {
    const note = generationNotObserved(target, service);
    if (note) return waiting(service, `${note}; ${describeConditions(service)}`);
  } else {
    const applied = servingContainer(revision.spec?.containers);
    const given = servingContainer(service.spec?.predictor?.containers);
    const expected = percent === undefined ? target.image : target.canaryImage;
    if (expected !== undefined && applied?.image !== expected) {
      return waiting(service, `Revision ${created} runs ${applied?.image ?? "an image not readable yet"}; waiting for KServe to create a Revision of ${expected}`);
    }
    if (given && !carriesSpec(given, applied)) {
      return waiting(service, `Revision ${created} does not carry the applied spec yet; waiting for KServe and Knative to create its Revision; ${describeConditions(service)}`);
    }
  }
  // A change of the split alone makes no Revision: KServe must have written it.
  const latest = predictor?.traffic?.find((t) => t.latestRevision);
  const share = percent ?? 100;
  if (predictor?.traffic && (latest?.percent ?? 0) !== share) {
    return waiting(service, `the latest Revision has ${latest?.percent ?? 0} % of the traffic; waiting for KServe to give it ${share} %`);
  }
  const pods = await revisionPods(api, target, created);
  const described = `Revision ${created}`;
  const done = predictor?.latestReadyRevision === created;
  const progress = done
    ? `${described}: ${readyCount(pods)} of ${pods.length} pods ready`
    : `${described} not ready yet (${readyCount(pods)} of ${pods.length} pods ready; latest ready: ${predictor?.latestReadyRevision ?? "none"})`;
  if (percent === undefined) {
    return { done, progress, revision: described, revisionName: created, pods, service };
  }
  // The stable Revision serves the rest; without one KServe gives the latest all of the traffic.
  const rolledOut = predictor?.latestRolledoutRevision;
  const stable = rolledOut && rolledOut !== created ? rolledOut : undefined;
  const stablePods = stable ? await revisionPods(api, target, stable) : [];
  const stableDescribed = stable ? `Revision ${stable}` : undefined;
  return {
    done,
    progress: `${stableDescribed ? `${stableDescribed} (stable): ${readyCount(stablePods)} of ${stablePods.length} pods ready; ` : "no stable Revision: "}canary at ${percent} %: ${progress}`,
    revision: stableDescribed,
    revisionName: stable,
    pods: stablePods,
    service,
    canary: { revision: described, revisionName: created, pods, done },
  };
}
