// Readings of a snapshot shared by the rules: which container is the model server, what the
// deployed spec says, which events and log lines belong to the service now.
import { CONTAINER_NAME } from "../../core/manifests";
import { ConfigFacts } from "./types";
import { condition, ContainerSpec, ContainerStatus, eventTime, KubeEvent, logKey, Pod, servingContainer, Snapshot } from "../snapshot";

export { CONTAINER_NAME };

export function isReady(snapshot: Snapshot): boolean {
  return condition(snapshot.inferenceService?.status?.conditions, "Ready")?.status === "True";
}

export function podReady(pod: Pod): boolean {
  return condition(pod.status?.conditions, "Ready")?.status === "True";
}

export function serverStatus(pod: Pod): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === CONTAINER_NAME);
}

/** The model server's container as deployed: the InferenceService spec (what config produced), else the pod's. */
export function serverSpec(snapshot: Snapshot): ContainerSpec | undefined {
  const fromService = servingContainer(snapshot.inferenceService?.spec?.predictor?.containers);
  return fromService ?? snapshot.pods.flatMap((p) => p.spec?.containers ?? []).find((c) => c.name === CONTAINER_NAME);
}

export function containerPort(snapshot: Snapshot): number | undefined {
  return serverSpec(snapshot)?.ports?.[0]?.containerPort;
}

/** Events about the service's current pods, or (while it is not Ready) its other objects, newest first. */
export function currentEvents(snapshot: Snapshot): KubeEvent[] {
  const name = snapshot.inferenceService?.metadata.name ?? snapshot.pods[0]?.metadata.labels?.["serving.kserve.io/inferenceservice"];
  const pods = new Set(snapshot.pods.map((p) => p.metadata.name));
  const ready = isReady(snapshot);
  return snapshot.events
    .filter((e) => {
      const target = e.involvedObject?.name ?? "";
      if (e.involvedObject?.kind === "Pod") {
        return pods.has(target);
      }
      // Revisions, deployments and replica sets are named after the service; once Ready their old complaints are history.
      return !ready && name !== undefined && target.startsWith(name);
    })
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
}

export function podOf(snapshot: Snapshot, event: KubeEvent): Pod | undefined {
  return snapshot.pods.find((p) => p.metadata.name === event.involvedObject?.name);
}

export interface LogLine {
  readonly key: string;
  readonly line: string;
}

/** Every log line of the service's containers, current and previous instances. */
export function logLines(snapshot: Snapshot): LogLine[] {
  return Object.entries(snapshot.logs ?? {}).flatMap(([key, text]) => text.split(/\r?\n/).filter((l) => l.trim()).map((line) => ({ key, line: line.trim() })));
}

export function lastLines(snapshot: Snapshot, pod: Pod, previous: boolean, count: number): string[] {
  const text = snapshot.logs?.[logKey(pod.metadata.name, CONTAINER_NAME, previous)] ?? "";
  return text.split(/\r?\n/).filter((l) => l.trim()).slice(-count);
}

/** The quoted form evidence uses. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

export function configKey(key: string): string {
  return `\`model-serving:${key}\``;
}

/** `model-serving:image`'s value: from the stack when known, else the deployed reference (a saved snapshot alone cannot tell). */
export function imageSetting(snapshot: Snapshot, facts: ConfigFacts): string {
  if (facts.stack !== undefined) {
    return facts.image === undefined ? "unset (the program builds and pushes the image)" : quote(facts.image);
  }
  return `${quote(serverSpec(snapshot)?.image ?? "(unknown)")} if set (that is the deployed reference)`;
}

/** The extra environment config set: the stack's `env`, else the deployed container's less PORT and MODEL_NAME. */
export function envConfig(snapshot: Snapshot, facts: ConfigFacts): Readonly<Record<string, string>> {
  return facts.env ?? Object.fromEntries((serverSpec(snapshot)?.env ?? []).filter((e) => e.name !== "PORT" && e.name !== "MODEL_NAME").map((e) => [e.name, e.value ?? ""]));
}

export function envSetting(snapshot: Snapshot, facts: ConfigFacts): string {
  return JSON.stringify(envConfig(snapshot, facts));
}
