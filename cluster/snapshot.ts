// The snapshot: what diagnose reads, as JSON objects exactly as the Kubernetes API returns them
// (timestamps stay strings), so a saved file diagnoses the same offline as live.
import * as fs from "fs";
import { CONTAINER_NAME } from "../core/manifests";

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

export interface ProbeSpec {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  timeoutSeconds?: number;
  periodSeconds?: number;
  initialDelaySeconds?: number;
  failureThreshold?: number;
}

export interface Pod {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { containers: ContainerSpec[]; nodeName?: string; imagePullSecrets?: { name: string }[] };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface KubeEvent {
  metadata?: { name?: string; creationTimestamp?: string };
  involvedObject: { kind?: string; name?: string; namespace?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

/** The label KServe puts on an InferenceService's predictor pods: the service's name. */
export const PREDICTOR_LABEL = "serving.kserve.io/inferenceservice";
/** The Knative Revision a pod belongs to (Knative's own label). */
export const REVISION_LABEL = "serving.knative.dev/revision";

export interface InferenceService {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    predictor?: { name?: string; minReplicas?: number; canaryTrafficPercent?: number; containers?: ContainerSpec[]; imagePullSecrets?: { name: string }[] };
  };
  status?: {
    conditions?: Condition[];
    url?: string;
    observedGeneration?: number;
    components?: {
      predictor?: {
        latestCreatedRevision?: string;
        latestReadyRevision?: string;
        latestRolledoutRevision?: string;
        /** Knative mode: the split KServe wrote to the Knative Service. */
        traffic?: { revisionName?: string; latestRevision?: boolean; percent?: number }[];
      };
    };
  };
}

export interface Snapshot {
  /** null when the API answered 404: the service does not exist (yet). */
  inferenceService: InferenceService | null;
  /** Standard mode: the canary InferenceService `<name>-canary`, when one runs; its pods are in `pods` too. */
  canaryService?: InferenceService | null;
  pods: Pod[];
  events: KubeEvent[];
  /** "<pod>/<container>" and "<pod>/<container>/previous" → log text. */
  logs: Record<string, string>;
  /** When and from where it was collected, and what could not be read. */
  collectedAt?: string;
  errors?: string[];
}

/** The snapshot narrowed to some of its pods, and their logs only (rules read every log they are given). */
export function forPods(snapshot: Snapshot, pods: Pod[]): Snapshot {
  const names = new Set(pods.map((p) => p.metadata.name));
  const logs = Object.fromEntries(Object.entries(snapshot.logs ?? {}).filter(([key]) => names.has(key.split("/")[0])));
  return { ...snapshot, pods, logs };
}

export function logKey(pod: string, container: string, previous = false): string {
  return `${pod}/${container}${previous ? "/previous" : ""}`;
}

/** Reads a saved snapshot, refusing a file that is not one (a typo should not read as "healthy"). */
export function readSnapshot(file: string): Snapshot {
  const data = JSON.parse(fs.readFileSync(file, "utf8"));
  const problems = [
    data === null || typeof data !== "object" ? "not a JSON object" : "",
    !("inferenceService" in (data ?? {})) ? '"inferenceService" missing' : "",
    !Array.isArray(data?.pods) ? '"pods" must be an array' : "",
    !Array.isArray(data?.events) ? '"events" must be an array' : "",
    data?.logs === null || typeof data?.logs !== "object" || Array.isArray(data?.logs) ? '"logs" must be an object' : "",
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`${file} is not a snapshot: ${problems.join("; ")}`);
  }
  return data as Snapshot;
}

/** When an event last happened; old and new API servers fill different fields. */
export function eventTime(e: KubeEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? "";
}

/** The container KServe routes to in a predictor's list: `kserve-container`, or the one unnamed. */
export function servingContainer<C extends { name?: string }>(containers: C[] | undefined): C | undefined {
  return containers?.find((c) => c.name === CONTAINER_NAME || !c.name);
}

export function condition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
