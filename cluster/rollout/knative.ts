// Knative mode: the latest created Revision must be the latest ready one.
import { PREDICTOR_LABEL } from "../collect";
import { KubeApi } from "../kubeApi";
import { InferenceService } from "../snapshot";
import { generationNotObserved, knativeCanaryPercent } from "./kserveBehaviour";
import { describeConditions, readyCount } from "./describe";
import { RolloutObservation, RolloutTarget, waiting } from "./types";

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
  const pods = await api.livePods(target.namespace, `${PREDICTOR_LABEL}=${target.name},serving.knative.dev/revision=${created}`);
  const described = `Revision ${created}`;
  const done = predictor?.latestReadyRevision === created;
  const progress = done
    ? `${described}: ${readyCount(pods)} of ${pods.length} pods ready`
    : `${described} not ready yet (${readyCount(pods)} of ${pods.length} pods ready; latest ready: ${predictor?.latestReadyRevision ?? "none"})`;
  const percent = knativeCanaryPercent(service);
  if (percent !== undefined) {
    return { done, progress: `canary at ${percent} %: ${progress}`, revision: described, pods, service, canary: { revision: described, pods, done } };
  }
  return { done, progress, revision: described, pods, service };
}
