// One look at a rollout: has the InferenceService's *current* spec reached its pods, and which
// pods are they? Ready alone cannot say: in Standard mode the old ReplicaSet keeps the Deployment
// available while the new pods crash-loop, so Ready stays True on a failed update.
import { KubeApi, paths } from "../kubeApi";
import { condition, InferenceService, Pod } from "../snapshot";
import { normalizeDeploymentMode } from "../../core/deploymentMode";
import { CONTAINER_NAME } from "../../core/manifests";
import { describeConditions } from "./describe";
import { knativeRevision } from "./knative";
import { standardRevision } from "./standard";
import { RolloutObservation, RolloutTarget, waiting } from "./types";

function isKnativeMode(mode: string): boolean {
  return normalizeDeploymentMode(mode) === "Knative";
}

const serverImage = (pod: Pod) => pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.image;

export async function observeRollout(api: KubeApi, target: RolloutTarget): Promise<RolloutObservation> {
  const service = await api.getJsonOrNull<InferenceService>(paths.inferenceService(target.namespace, target.name));
  if (!service) {
    return waiting(null, "InferenceService not found");
  }
  const result = isKnativeMode(target.mode) ? await knativeRevision(api, target, service) : await standardRevision(api, target, service);
  // Knative mode with a canary: the stable is whatever Revision KServe last rolled out (a rollback
  // holds the traffic there while a Revision of the stable image starts); the canary is checked.
  const knativeCanary = isKnativeMode(target.mode) && result.canary !== undefined;
  const other = target.image === undefined || knativeCanary ? undefined : result.pods.map(serverImage).find((image) => image !== target.image);
  if (other !== undefined) {
    return { ...result, done: false, progress: `${result.revision ?? "the current revision"} runs ${other}, not ${target.image}` };
  }
  // While the service is not Ready its conditions say most about why.
  if (condition(service.status?.conditions, "Ready")?.status !== "True") {
    return { ...result, done: false, progress: `${result.progress}; ${describeConditions(service)}` };
  }
  return result;
}
