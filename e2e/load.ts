// The e2e's clients: POST /predict on a new connection each time (as independent clients would,
// so kube-proxy or the ingress picks an endpoint for each), tallying failures, which server
// variant answered (x-server-variant) and which model_version. Used against a Service's ClusterIP
// (serviceLoad.ts) and through the Knative ingress by a route's host name (ingress.ts).
import * as http from "http";
import { SAMPLE_FEATURES } from "../cluster/smoke";

/** Where requests go: the address to connect to, and the Host header to send (a route's name). */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly host?: string;
  readonly timeoutMs: number;
}

export interface Answer {
  readonly ok: boolean;
  /** x-server-variant, "none" without it. */
  readonly variant: string;
  readonly modelVersion: string;
  readonly detail: string;
}

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

/** One POST /predict on its own connection; never rejects. */
export function predictAt(endpoint: Endpoint): Promise<Answer> {
  const payload = JSON.stringify({ features: SAMPLE_FEATURES });
  const headers = { ...(endpoint.host ? { host: endpoint.host } : {}), "content-type": "application/json", "content-length": Buffer.byteLength(payload) };
  return new Promise((resolve) => {
    const req = http.request({ host: endpoint.address, port: endpoint.port, method: "POST", path: "/predict", agent: false, timeout: endpoint.timeoutMs, headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        let modelVersion = "none";
        try {
          modelVersion = JSON.parse(body).model_version ?? "none";
        } catch {
          // Not JSON: an error page, counted by its status.
        }
        resolve({ ok: res.statusCode === 200, variant: (res.headers["x-server-variant"] as string | undefined) ?? "none", modelVersion, detail: `HTTP ${res.statusCode}` });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${endpoint.timeoutMs} ms`)));
    req.on("error", (e) => resolve({ ok: false, variant: "none", modelVersion: "none", detail: e.message }));
    req.end(payload);
  });
}

function emptyTally() {
  return { requests: 0, failures: 0, failed: [] as string[], byVariant: {} as Record<string, number>, byModelVersion: {} as Record<string, number> };
}

function count(tally: ReturnType<typeof emptyTally>, answer: Answer): void {
  tally.requests++;
  if (!answer.ok) {
    tally.failures++;
    if (tally.failed.length < 5) tally.failed.push(`${new Date().toISOString()} ${answer.detail}`);
    return;
  }
  tally.byVariant[answer.variant] = (tally.byVariant[answer.variant] ?? 0) + 1;
  tally.byModelVersion[answer.modelVersion] = (tally.byModelVersion[answer.modelVersion] ?? 0) + 1;
}

/** `requests` requests, one after another. */
export async function sendRequests(endpoint: Endpoint, requests: number): Promise<LoadTally> {
  const tally = emptyTally();
  for (let i = 0; i < requests; i++) count(tally, await predictAt(endpoint));
  return tally;
}

/** Sends requests until `stop()`; for what a rollout does to the answers. */
export function startLoad(endpoint: Endpoint): { stop: () => Promise<LoadTally> } {
  const tally = emptyTally();
  let running = true;
  const loop = (async () => {
    while (running) {
      count(tally, await predictAt(endpoint));
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
