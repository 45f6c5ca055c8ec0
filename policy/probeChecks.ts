// Probes: present on the stable and every canary, no readiness delay, liveness apart from readiness.
import { InferenceServiceView, MAX_READINESS_DELAY_SECONDS } from "./view";

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

/** A canary must be as observable as the stable: it is what the next rollout decides on. */
export function checkCanaryProbes(isvc: InferenceServiceView): string[] {
  return isvc.canaryServing.flatMap((c) => checkProbesPresent({ ...isvc, serving: c }));
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
