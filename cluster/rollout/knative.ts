// Knative mode: the latest created Revision must be the latest ready one. With
// `canaryTrafficPercent` the latest Revision is the canary and the stable one is KServe's
// `latestRolledoutRevision` (the Revision that last had 100 %), which takes the rest.
import { PREDICTOR_LABEL } from "../collect";
import { KubeApi, paths } from "../kubeApi";
import { ContainerSpec, InferenceService, Pod } from "../snapshot";
import { CONTAINER_NAME } from "../../core/manifests";
import { generationNotObserved, knativeCanaryPercent } from "./kserveBehaviour";
import { describeConditions, readyCount } from "./describe";
import { RolloutObservation, RolloutTarget, waiting } from "./types";

function revisionPods(api: KubeApi, target: RolloutTarget, revision: string): Promise<Pod[]> {
  return api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},serving.knative.dev/revision=${revision}`);
}

export async function knativeRevision(api: KubeApi, target: RolloutTarget, service: InferenceService): Promise<RolloutObservation> {
  const note = generationNotObserved(target, service);
  if (note) {
    return waiting(service, `${note}; ${describeConditions(service)}`);
  }
  const predictor = service.status?.components?.predictor;
  const created = predictor?.latestCreatedRevision;
  if (!created) {
    return waiting(service, "no Knative Revision created yet");
  }
  const percent = knativeCanaryPercent(service);
  // The latest created Revision must be of this update: KServe's observedGeneration is the Knative
  // Service's own counter (inference_service_status.go), so it can pass while an older Revision
  // is still the latest (seen: a rollback's watch done on the canary's Revision).
  const expected = percent === undefined ? target.image : target.canaryImage;
  if (expected !== undefined) {
    const revision = await api.getJsonOrNull<{ spec?: { containers?: ContainerSpec[] } }>(paths.knativeRevision(target.namespace, created));
    const image = revision?.spec?.containers?.find((c) => c.name === CONTAINER_NAME || !c.name)?.image;
    if (image !== expected) {
      return waiting(service, `Revision ${created} runs ${image ?? "an image not readable yet"}; waiting for KServe to create a Revision of ${expected}`);
    }
  }
  const pods = await revisionPods(api, target, created);
  const described = `Revision ${created}`;
  const done = predictor?.latestReadyRevision === created;
  const progress = done
    ? `${described}: ${readyCount(pods)} of ${pods.length} pods ready`
    : `${described} not ready yet (${readyCount(pods)} of ${pods.length} pods ready; latest ready: ${predictor?.latestReadyRevision ?? "none"})`;
  if (percent === undefined) {
    return { done, progress, revision: described, pods, service };
  }
  // The stable Revision serves the rest; without one KServe gives the latest all of the traffic.
  const stable = predictor?.latestRolledoutRevision;
  const stablePods = stable && stable !== created ? await revisionPods(api, target, stable) : [];
  const stableDescribed = stable && stable !== created ? `Revision ${stable}` : undefined;
  return {
    done,
    progress: `${stableDescribed ? `${stableDescribed} (stable): ${readyCount(stablePods)} of ${stablePods.length} pods ready; ` : "no stable Revision: "}canary at ${percent} %: ${progress}`,
    revision: stableDescribed,
    pods: stablePods,
    service,
    canary: { revision: described, pods, done },
  };
}
