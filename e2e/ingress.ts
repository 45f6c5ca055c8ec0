// Requests through the toolchain's Knative ingress (Traefik at a ClusterIP, reached from the host
// by kube-proxy), addressed by the Knative route's host name, as a client outside the cluster would.
import * as http from "http";
import { SAMPLE_FEATURES } from "../cluster/smoke";

/** Traefik's Service in the toolchain's Knative mode (shared/toolchain/README.md). */
export const INGRESS = process.env.E2E_INGRESS ?? "10.0.0.12";

export interface Answer {
  readonly status: number;
  /** x-server-variant (the e2e's server variants); "none" without it. */
  readonly variant: string;
  readonly ms: number;
  readonly detail: string;
}

/** One POST /predict to `host` through the ingress, on a new connection; never rejects. */
export function predictThroughIngress(host: string, timeoutMs = 30000): Promise<Answer> {
  const payload = JSON.stringify({ features: SAMPLE_FEATURES });
  const start = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      { host: INGRESS, port: 80, method: "POST", path: "/predict", agent: false, timeout: timeoutMs, headers: { host, "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, variant: (res.headers["x-server-variant"] as string | undefined) ?? "none", ms: Date.now() - start, detail: `HTTP ${res.statusCode}` }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", (e) => resolve({ status: 0, variant: "none", ms: Date.now() - start, detail: e.message }));
    req.end(payload);
  });
}

export interface IngressTally {
  readonly requests: number;
  readonly failures: number;
  readonly failed: string[];
  readonly byVariant: Record<string, number>;
}

/** `count` requests, one after another. */
export async function sendThroughIngress(host: string, count: number): Promise<IngressTally> {
  const tally = { requests: 0, failures: 0, failed: [] as string[], byVariant: {} as Record<string, number> };
  for (let i = 0; i < count; i++) {
    countAnswer(tally, await predictThroughIngress(host));
  }
  return tally;
}

/** Sends requests until `stop()`; for what the ingress answers during a rollout. */
export function ingressLoad(host: string): { stop: () => Promise<IngressTally> } {
  const tally = { requests: 0, failures: 0, failed: [] as string[], byVariant: {} as Record<string, number> };
  let running = true;
  const loop = (async () => {
    while (running) {
      countAnswer(tally, await predictThroughIngress(host));
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

function countAnswer(tally: { requests: number; failures: number; failed: string[]; byVariant: Record<string, number> }, answer: Answer): void {
  tally.requests++;
  if (answer.status !== 200) {
    tally.failures++;
    if (tally.failed.length < 5) tally.failed.push(answer.detail);
    return;
  }
  tally.byVariant[answer.variant] = (tally.byVariant[answer.variant] ?? 0) + 1;
}
