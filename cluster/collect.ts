// Collects a snapshot of one InferenceService: the service (and its Standard-mode canary), their
// predictor pods, the namespace's events and the containers' logs (and the previous instance's after a restart).
import { KubeApi, paths } from "./kubeApi";
import { InferenceService, KubeEvent, logKey, Pod, PREDICTOR_LABEL, Snapshot } from "./snapshot";

export { PREDICTOR_LABEL };
import { canaryServiceName } from "../core/canary";
import { errorText } from "../core/errorText";

export const LOG_TAIL_LINES = 100;

export interface Target {
  readonly name: string;
  readonly namespace: string;
}

export interface CollectOptions {
  /** @default the time of collection */
  readonly now?: Date;
  /** These pods (one revision's) instead of every predictor pod of the service and its canary. */
  readonly pods?: Pod[];
}

/**
 * What could be read. A missing service or an unreadable log is recorded in `errors` (it is
 * evidence too); an unreachable API server or a refused list rejects, since nothing could be
 * diagnosed from it.
 */
export async function collectSnapshot(api: KubeApi, target: Target, options: CollectOptions = {}): Promise<Snapshot> {
  const errors: string[] = [];
  const canaryName = canaryServiceName(target.name);
  const [inferenceService, canaryService, pods, eventList] = await Promise.all([
    api.getJsonOrNull<InferenceService>(paths.inferenceService(target.namespace, target.name)).then((service) => {
      if (!service) errors.push(`InferenceService ${target.namespace}/${target.name} not found`);
      return service;
    }),
    // A Standard-mode canary is an InferenceService of its own; absent is the usual case, not an error.
    api.getJsonOrNull<InferenceService>(paths.inferenceService(target.namespace, canaryName)),
    // Pods being deleted are history (Knative scaling a failed Revision away, an old ReplicaSet's).
    options.pods ?? api.livePods(target.namespace, `${PREDICTOR_LABEL} in (${target.name},${canaryName})`),
    api.getJson<{ items: KubeEvent[] }>(paths.events(target.namespace)),
  ]);
  const logs: Record<string, string> = {};
  await Promise.all(
    pods.flatMap((pod) =>
      logRequests(pod).map(async ({ container, previous }) => {
        try {
          logs[logKey(pod.metadata.name, container, previous)] = await api.getText(
            paths.log(target.namespace, pod.metadata.name, container, previous, LOG_TAIL_LINES),
          );
        } catch (e) {
          // A container still waiting for its image has no log yet: worth saying, not fatal.
          errors.push(`log ${logKey(pod.metadata.name, container, previous)}: ${errorText(e)}`);
        }
      }),
    ),
  );
  return { inferenceService, ...(canaryService ? { canaryService } : {}), pods, events: eventList.items ?? [], logs, collectedAt: (options.now ?? new Date()).toISOString(), errors };
}

/** Every container that has run, and its previous instance when it restarted. */
function logRequests(pod: Pod): { container: string; previous: boolean }[] {
  return (pod.status?.containerStatuses ?? []).flatMap((s) => {
    const ran = Boolean(s.state?.running || s.state?.terminated || s.lastState?.terminated);
    const current = ran ? [{ container: s.name, previous: false }] : [];
    return s.lastState?.terminated || s.restartCount > 0 ? [...current, { container: s.name, previous: true }] : current;
  });
}
