// Requests through the toolchain's Knative ingress (Traefik at a ClusterIP, reached from the host
// by kube-proxy), addressed by the Knative route's host name, as a client outside the cluster would.
import { Endpoint, LoadTally, sendRequests, startLoad } from "./load";

/** Traefik's Service in the toolchain's Knative mode (shared/toolchain/README.md). */
export const INGRESS = process.env.E2E_INGRESS ?? "10.0.0.12";

/** A route by its host name; 30 s per request, for a cold start through the activator. */
const route = (host: string): Endpoint => ({ address: INGRESS, port: 80, host, timeoutMs: 30000 });

export type IngressTally = LoadTally;

/** `count` requests to the route, one after another. */
export function sendThroughIngress(host: string, count: number): Promise<IngressTally> {
  return sendRequests(route(host), count);
}

/** Sends requests to the route until `stop()`; for what the ingress answers during a rollout. */
export function ingressLoad(host: string): { stop: () => Promise<IngressTally> } {
  return startLoad(route(host));
}
