// What the cluster holds, read back through the Kubernetes API (never the program's own
// outputs), and the few writes the scenarios need (an adopted namespace, a command in a pod).
import { Writable } from "stream";
import { Exec } from "@kubernetes/client-node";
import { KubeApi, KubeApiError, labelSelector, paths } from "../cluster/kubeApi";
import { predictorDeploymentName } from "../core/names";
import { InferenceService, Pod } from "../cluster/snapshot";
import { PREDICTOR_LABEL } from "../cluster/collect";
import { sleep } from "../cluster/deadline";

export interface Deployment {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template: { spec: { containers: Record<string, any>[] } } };
  status?: { replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

const namespacePath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}`;

export class Cluster {
  constructor(readonly api: KubeApi) {}

  service(ns: string, name: string): Promise<InferenceService | null> {
    return this.api.getJsonOrNull(paths.inferenceService(ns, name));
  }

  deployment(ns: string, name: string): Promise<Deployment | null> {
    return this.api.getJsonOrNull(paths.deployment(ns, predictorDeploymentName(name)));
  }

  /** The service's predictor pods that are not being deleted. */
  pods(ns: string, name: string): Promise<Pod[]> {
    return this.api.livePods(ns, `${PREDICTOR_LABEL}=${name}`);
  }

  /** The pods a Service sends its traffic to (its selector), not being deleted. */
  async selectedPods(ns: string, service: string): Promise<Pod[]> {
    const svc = await this.api.getJson<{ spec: { selector?: Record<string, string> } }>(`/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(service)}`);
    return this.api.livePods(ns, labelSelector(svc.spec.selector ?? {}));
  }

  namespace(ns: string): Promise<{ metadata: { labels?: Record<string, string> }; status?: { phase?: string } } | null> {
    return this.api.getJsonOrNull(namespacePath(ns));
  }

  async createNamespace(ns: string, labels: Record<string, string>): Promise<void> {
    const res = await this.api.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } });
    if (res.status !== 201 && res.status !== 409) throw new KubeApiError(res.status, "/api/v1/namespaces", res.body);
  }

  async deleteNamespace(ns: string): Promise<void> {
    await this.api.request("DELETE", namespacePath(ns));
  }

  /** Objects of these kinds in the namespace that carry the label, as `kind/name`. */
  async labelled(ns: string, selector: string): Promise<string[]> {
    const kinds: [string, string][] = [
      ["InferenceService", `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`],
      ["Deployment", `/apis/apps/v1/namespaces/${ns}/deployments`],
      ["ReplicaSet", `/apis/apps/v1/namespaces/${ns}/replicasets`],
      ["Pod", `/api/v1/namespaces/${ns}/pods`],
      ["Service", `/api/v1/namespaces/${ns}/services`],
      ["Secret", `/api/v1/namespaces/${ns}/secrets`],
      ["HorizontalPodAutoscaler", `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`],
    ];
    const found: string[] = [];
    for (const [kind, base] of kinds) {
      const list = await this.api.getJsonOrNull<{ items: { metadata: { name: string } }[] }>(`${base}?labelSelector=${encodeURIComponent(selector)}`);
      found.push(...(list?.items ?? []).map((o) => `${kind}/${o.metadata.name}`));
    }
    return found;
  }

  /** Runs a command in a container (like `kubectl exec`) and returns its standard output. */
  async exec(ns: string, pod: string, container: string, command: string[], timeoutMs = 15000): Promise<string> {
    let stdout = "";
    let stderr = "";
    const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exec ${command.join(" ")} in ${pod}: no answer within ${timeoutMs} ms`)), timeoutMs);
      new Exec(this.api.kc)
        .exec(ns, pod, container, command, sink((t) => (stdout += t)), sink((t) => (stderr += t)), null, false, (status) => {
          clearTimeout(timer);
          if (status.status === "Success") resolve(stdout);
          else reject(new Error(`exec ${command.join(" ")} in ${pod}: ${status.message ?? status.status} ${stderr}`));
        })
        .catch((e: unknown) => (clearTimeout(timer), reject(e)));
    });
  }

  /** Waits until the namespace is gone (its deletion finished), for at most `timeoutMs`. */
  untilNamespaceGone(ns: string, timeoutMs: number, what = `namespace ${ns} to go`): Promise<true> {
    return this.until(what, timeoutMs, async () => ((await this.namespace(ns)) ? "present" : true));
  }

  /** Polls until `check` returns a value, for at most `timeoutMs`; the last reason on timeout. */
  async until<T>(what: string, timeoutMs: number, check: () => Promise<T | string>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await check();
      if (typeof result !== "string") return result;
      if (Date.now() > deadline) throw new Error(`${what}: still ${result} after ${timeoutMs / 1000}s`);
      await sleep(500);
    }
  }
}
