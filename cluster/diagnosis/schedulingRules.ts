// No node fits the pod's requests.
import { condition, Snapshot } from "../snapshot";
import { configKey, currentEvents, quote, serverSpec } from "./facts";
import { Finding } from "./types";

export function unschedulable(snapshot: Snapshot): Finding[] {
  const pending = snapshot.pods
    .map((p) => ({ pod: p, c: condition(p.status?.conditions, "PodScheduled") }))
    .find(({ c }) => c?.status === "False" && c.reason === "Unschedulable");
  const event = currentEvents(snapshot).find((e) => e.reason === "FailedScheduling");
  const message = pending?.c?.message ?? event?.message;
  if (!pending && !event) {
    return [];
  }
  const evidence = pending
    ? `${pending.pod.metadata.name} PodScheduled=False Unschedulable: ${quote(pending.c!.message ?? "")}`
    : `event FailedScheduling on Pod/${event!.involvedObject.name}: ${quote(event!.message ?? "")}`;
  const requests = serverSpec(snapshot)?.resources?.requests ?? {};
  const keys = (["cpu", "memory"] as const)
    .filter((r) => !/Insufficient (cpu|memory)/.test(message ?? "") || new RegExp(`Insufficient ${r}`).test(message ?? ""))
    .map((r) => `${configKey(`resources.requests.${r}`)} (now ${quote(requests[r] ?? "unset")})`);
  return [
    {
      cause: "unschedulable",
      evidence,
      fix: `no node has room for the requests: lower ${keys.join(" or ")}, or add nodes (or larger ones) to the node group`,
    },
  ];
}
