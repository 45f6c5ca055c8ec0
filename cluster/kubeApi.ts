// A thin Kubernetes API client: client-node's KubeConfig does the kubeconfig, TLS and auth
// (including `aws eks get-token`); requests return the API's JSON untouched, because the
// snapshot must hold objects as the API returns them (the generated client turns timestamps
// into Dates and drops fields it does not know, such as the InferenceService's).
import * as http from "http";
import * as https from "https";
import { KubeConfig } from "@kubernetes/client-node";
import type { Pod } from "./snapshot";

export interface KubeResponse {
  status: number;
  body: string;
}

/** A non-2xx answer, with the API's own message (`Status.message`) when it sent one. */
export class KubeApiError extends Error {
  constructor(readonly status: number, readonly path: string, body: string) {
    super(`${path}: HTTP ${status}: ${statusMessage(body)}`);
    this.name = "KubeApiError";
  }
}

function statusMessage(body: string): string {
  try {
    return JSON.parse(body).message ?? body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** The default kubeconfig (KUBECONFIG, then ~/.kube/config, then in-cluster), or the given file. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) {
    kc.loadFromFile(file);
  } else {
    kc.loadFromDefault();
  }
  const cluster = kc.getCurrentCluster();
  // With nothing found, client-node falls back to http://localhost:8080; say so instead of waiting on it.
  if (!cluster || (!file && cluster.name === "cluster" && cluster.server === "http://localhost:8080")) {
    throw new Error("no kubeconfig: set KUBECONFIG, create ~/.kube/config (aws eks update-kubeconfig --name <cluster>) or pass --kubeconfig FILE");
  }
  return kc;
}

export class KubeApi {
  constructor(readonly kc: KubeConfig, private readonly timeoutMs = 15000) {}

  /** One request; resolves with any status, rejects on network errors and after the timeout. */
  async request(method: string, path: string, body?: unknown): Promise<KubeResponse> {
    const url = new URL(path, this.kc.getCurrentCluster()!.server);
    const options: https.RequestOptions = { method, headers: { accept: "application/json, */*" } };
    await this.kc.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      options.headers = { ...options.headers, "content-type": "application/json", "content-length": Buffer.byteLength(payload) };
    }
    const send = url.protocol === "http:" ? http.request : https.request;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** GET a path; the parsed JSON, or KubeApiError. */
  async getJson<T>(path: string): Promise<T> {
    const res = await this.request("GET", path);
    if (res.status < 200 || res.status > 299) {
      throw new KubeApiError(res.status, path, res.body);
    }
    return JSON.parse(res.body) as T;
  }

  /** GET a path; the parsed JSON, null when the API answers 404, else KubeApiError. */
  async getJsonOrNull<T>(path: string): Promise<T | null> {
    try {
      return await this.getJson<T>(path);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** The pods matching a label selector, less those being deleted. */
  async livePods(ns: string, labelSelector: string): Promise<Pod[]> {
    const list = await this.getJson<{ items?: Pod[] }>(paths.pods(ns, labelSelector));
    return (list.items ?? []).filter((p) => !p.metadata.deletionTimestamp);
  }

  async getText(path: string): Promise<string> {
    const res = await this.request("GET", path);
    if (res.status < 200 || res.status > 299) {
      throw new KubeApiError(res.status, path, res.body);
    }
    return res.body;
  }
}

/** `key=value,…`: a label selector that matches these labels. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** The REST paths the tools use, in one place. */
export const paths = {
  inferenceService: (ns: string, name: string) =>
    `/apis/serving.kserve.io/v1beta1/namespaces/${encodeURIComponent(ns)}/inferenceservices/${encodeURIComponent(name)}`,
  pods: (ns: string, labelSelector: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?labelSelector=${encodeURIComponent(labelSelector)}`,
  namespace: (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}`,
  deployment: (ns: string, name: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments/${encodeURIComponent(name)}`,
  replicaSets: (ns: string, labelSelector: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets?labelSelector=${encodeURIComponent(labelSelector)}`,
  events: (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/events`,
  knativeService: (ns: string, name: string) => `/apis/serving.knative.dev/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`,
  knativeRevision: (ns: string, name: string) => `/apis/serving.knative.dev/v1/namespaces/${encodeURIComponent(ns)}/revisions/${encodeURIComponent(name)}`,
  log: (ns: string, pod: string, container: string, previous: boolean, tailLines: number) =>
    `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log?container=${encodeURIComponent(container)}&tailLines=${tailLines}${previous ? "&previous=true" : ""}`,
};
