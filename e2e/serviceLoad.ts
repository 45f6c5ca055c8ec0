// Requests to a Service's ClusterIP while a rollout runs (e2e/load.ts counts them). Needs
// kube-proxy (the toolchain's Knative mode); in the default mode ClusterIPs carry no traffic.
import { KubeApi } from "../cluster/kubeApi";
import { LoadTally, predictAt, startLoad } from "./load";

export type { LoadTally };

/** Starts sending to Service `<service>` in `namespace` (port 80); `stop()` ends it and tallies. */
export async function startServiceLoad(api: KubeApi, namespace: string, service: string): Promise<{ stop: () => Promise<LoadTally> }> {
  const svc = await api.getJson<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${namespace}/services/${service}`);
  const endpoint = { address: svc.spec.clusterIP, port: 80, timeoutMs: 5000 };
  const first = await predictAt(endpoint);
  if (!first.ok) {
    throw new Error(`Service ${namespace}/${service} (${svc.spec.clusterIP}:80) does not answer from here (${first.detail}): the rollout scenarios need ClusterIP routing (kube-proxy; the toolchain's KNATIVE=1 cluster has it)`);
  }
  return startLoad(endpoint);
}
