// What KServe and Knative do that a rollout watch must know, learned on a real cluster. Each
// function encodes one behaviour and names the release that showed it.
import { InferenceService } from "../snapshot";
import { RolloutTarget } from "./types";

/**
 * KServe has not reported the applied generation as observed; a note saying so, else undefined.
 * Not enough on its own, either way: KServe v0.20.0 left `status.observedGeneration` stale once
 * predictors were named or canaried (seen: generation 7, observed 2), copies it in Standard mode
 * from what it last reconciled, so once an HPA has scaled it can run ahead of a config-only update
 * KServe has not applied, and in Knative mode copies the Knative Service's own
 * `observedGeneration` (inference_service_status.go). Standard mode therefore checks that the
 * Deployment carries the spec (carriesSpec) instead, and Knative mode that the latest Revision
 * does (rollout/knative.ts), using this only where Revisions cannot be read.
 */
export function generationNotObserved(target: RolloutTarget, service: InferenceService): string | undefined {
  const generation = target.generation ?? service.metadata.generation;
  const observed = service.status?.observedGeneration;
  return generation !== undefined && (observed ?? 0) < generation ? `KServe has not yet reconciled generation ${generation} (observed: ${observed ?? "none"})` : undefined;
}

/**
 * Every field the spec gives is in the Deployment's container as given. KServe (v0.20.0) adds
 * defaults there (probe schemes, timeouts), so the applied container is a superset of the spec's.
 * The first half of carriesSpec.
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

/** What KServe v0.20.0 and the API server add to the predictor container in the Deployment (seen in test/fixtures/rollouts). */
const ADDED_CONTAINER_FIELDS = ["imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy"];
/** The env KServe v0.20.0 appends to the predictor container in Standard mode. */
const ADDED_ENV = ["INFERENCE_SERVICE_NAME"];

type Container = { readonly env?: readonly { readonly name: string }[] };

/**
 * The Deployment's container is the applied spec's: every field as given (appliedAs), and nothing
 * the spec no longer has. A superset alone cannot see a removal: reverting an env var or a probe
 * leaves the old container a superset of the new spec until KServe updates the Deployment.
 */
export function carriesSpec(given: Container, applied: Container | undefined): boolean {
  if (!applied || !appliedAs(given, applied)) return false;
  const removed = Object.keys(applied).filter((key) => !Object.hasOwn(given, key) && !ADDED_CONTAINER_FIELDS.includes(key));
  const envNames = (c: Container) => (c.env ?? []).map((e) => e.name).filter((name) => !ADDED_ENV.includes(name));
  return removed.length === 0 && envNames(applied).length === envNames(given).length;
}

/**
 * With `canaryTrafficPercent` in Knative mode, the latest Revision is the canary and the previous
 * rolled-out one keeps the rest (KServe v0.20.0, ksvc_reconciler.go); the share, when set.
 */
export function knativeCanaryPercent(service: InferenceService): number | undefined {
  return service.spec?.predictor?.canaryTrafficPercent;
}
