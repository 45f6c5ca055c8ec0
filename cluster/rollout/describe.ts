// Short accounts of a service and its pods, for progress lines.
import { condition, InferenceService, Pod } from "../snapshot";

/** "Ready=False RevisionMissing: …; PredictorReady=False …": the service's own account. */
export function describeConditions(service: InferenceService): string {
  const conditions = service.status?.conditions ?? [];
  if (conditions.length === 0) return "no conditions yet";
  return conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`).join("; ");
}

export function readyCount(pods: Pod[]): number {
  return pods.filter((p) => condition(p.status?.conditions, "Ready")?.status === "True").length;
}
