// Probes: present on the stable and every canary, no readiness delay, liveness apart from readiness.
import { CONTAINER_NAME } from "../core/manifests";
import { InferenceServiceView, MAX_READINESS_DELAY_SECONDS, PredictorContainer } from "./view";

export function checkProbesPresent(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  if (!serving) {
    return [];
  }
  const missing: string[] = [];
  if (!serving.container.readinessProbe) {
    missing.push(`${serving.path}.readinessProbe is missing: add an HTTP probe on the container port that succeeds once the model is loaded (e.g. /health).`);
  }
  if (!serving.container.livenessProbe) {
    missing.push(`${serving.path}.livenessProbe is missing: add an HTTP probe on the container port that succeeds while the process is alive (e.g. /v2/health/live).`);
  }
  return missing;
}

/** Each Standard-mode canary's serving container (spec.canary[i].predictor), as the probe rule reads the stable's. */
function canaryServingContainers(isvc: InferenceServiceView): PredictorContainer[] {
  const byCanary = new Map<string, PredictorContainer[]>();
  for (const c of isvc.allContainers) {
    const canary = /^spec\.canary\[\d+\]/.exec(c.path)?.[0];
    if (canary) byCanary.set(canary, [...(byCanary.get(canary) ?? []), c]);
  }
  return [...byCanary.values()].flatMap((containers) => {
    const serving = containers.find((c) => c.container.name === CONTAINER_NAME) ?? (containers.length === 1 ? containers[0] : undefined);
    return serving ? [serving] : [];
  });
}

/** A canary must be as observable as the stable: it is what the next rollout decides on. */
export function checkCanaryProbes(isvc: InferenceServiceView): string[] {
  return canaryServingContainers(isvc).flatMap((c) => checkProbesPresent({ ...isvc, serving: c }));
}

export function checkReadinessDelay(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const delay = serving?.container.readinessProbe?.initialDelaySeconds;
  if (!serving || typeof delay !== "number" || delay <= MAX_READINESS_DELAY_SECONDS) {
    return [];
  }
  return [
    `${serving.path}.readinessProbe.initialDelaySeconds is ${delay}: every pod start (each scale from zero too) waits that long; ` +
      "use 0 and let the readiness probe fail until the model is loaded (a startupProbe covers slow loads).",
  ];
}

export function checkLivenessPath(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const readiness = serving?.container.readinessProbe?.httpGet;
  const liveness = serving?.container.livenessProbe?.httpGet;
  if (!serving || !readiness || !liveness || (readiness.path ?? "/") !== (liveness.path ?? "/")) {
    return [];
  }
  return [
    `${serving.path}.livenessProbe.httpGet.path is ${JSON.stringify(liveness.path ?? "/")}, the readiness path: a slow model load then fails liveness ` +
      "and the container is restarted in a loop; probe a path that answers while the model loads (e.g. /v2/health/live).",
  ];
}
