// Requests to a Service's ClusterIP while a rollout runs: how many failed, and which server
// variant answered (x-server-variant). Each request opens its own connection, as independent
// clients would, so kube-proxy picks an endpoint for each. Needs kube-proxy (the toolchain's
// Knative mode); in the default mode ClusterIPs carry no traffic.
import * as http from "http";
import { KubeApi } from "../cluster/kubeApi";
import { SAMPLE_FEATURES } from "../cluster/smoke";

export interface LoadTally {
  readonly requests: number;
  readonly failures: number;
  /** The first few failures, for the message. */
  readonly failed: string[];
  /** Answers by x-server-variant ("none" when the header is absent). */
  readonly byVariant: Record<string, number>;
  /** Answers by the model_version the server put in them. */
  readonly byModelVersion: Record<string, number>;
}

function predict(host: string): Promise<{ ok: boolean; variant?: string; modelVersion?: string; detail: string }> {
  const payload = JSON.stringify({ features: SAMPLE_FEATURES });
  return new Promise((resolve) => {
    const req = http.request(
      { host, port: 80, method: "POST", path: "/predict", agent: false, timeout: 5000, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => {
          let modelVersion: string | undefined;
          try {
            modelVersion = JSON.parse(body).model_version;
          } catch {
            modelVersion = undefined;
          }
          resolve({ ok: res.statusCode === 200, variant: res.headers["x-server-variant"] as string | undefined, modelVersion, detail: `HTTP ${res.statusCode}` });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 5 s")));
    req.on("error", (e) => resolve({ ok: false, detail: e.message }));
    req.end(payload);
  });
}

/** Starts sending to Service `<service>` in `namespace` (port 80); `stop()` ends it and tallies. */
export async function startServiceLoad(api: KubeApi, namespace: string, service: string): Promise<{ stop: () => Promise<LoadTally> }> {
  const svc = await api.getJson<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${namespace}/services/${service}`);
  const first = await predict(svc.spec.clusterIP);
  if (!first.ok) {
    throw new Error(`Service ${namespace}/${service} (${svc.spec.clusterIP}:80) does not answer from here (${first.detail}): the rollout scenarios need ClusterIP routing (kube-proxy; the toolchain's KNATIVE=1 cluster has it)`);
  }
  const tally = { requests: 0, failures: 0, failed: [] as string[], byVariant: {} as Record<string, number>, byModelVersion: {} as Record<string, number> };
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await predict(svc.spec.clusterIP);
      tally.requests++;
      if (!answer.ok) {
        tally.failures++;
        if (tally.failed.length < 5) tally.failed.push(`${new Date().toISOString()} ${answer.detail}`);
      } else {
        const variant = answer.variant ?? "none";
        tally.byVariant[variant] = (tally.byVariant[variant] ?? 0) + 1;
        const version = answer.modelVersion ?? "none";
        tally.byModelVersion[version] = (tally.byModelVersion[version] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return tally;
    },
  };
}
