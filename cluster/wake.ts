// Knative mode scales a service with `replicas.min: 0` to zero pods when idle. A request to its
// route goes to Knative's activator, which starts a pod and holds the request until it is Ready:
// that is how verify wakes it, and the time to the first answer is the cold start.
import * as http from "http";

export interface WakeResult {
  readonly ok: boolean;
  /** Request sent → first answer. */
  readonly coldStartMs: number;
  readonly detail: string;
}

/**
 * GET <url>/health, connecting to `ingress` (`host[:port]`, where the cluster's ingress serves
 * the route's host name) or, without it, to the URL's own host. Never rejects.
 */
export function wakeThroughRoute(url: string, ingress: string | undefined, timeoutMs: number): Promise<WakeResult> {
  const route = new URL(url);
  const [host, port] = (ingress ?? route.host).split(":");
  const start = Date.now();
  return new Promise((resolve) => {
    const req = http.request({ host, port: Number(port ?? 80), method: "GET", path: "/health", agent: false, timeout: timeoutMs, headers: { host: route.host } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ok: res.statusCode === 200, coldStartMs: Date.now() - start, detail: `HTTP ${res.statusCode} from ${route.host}${ingress ? ` via ${ingress}` : ""}` }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => resolve({ ok: false, coldStartMs: Date.now() - start, detail: `${route.host}${ingress ? ` via ${ingress}` : ""}: ${e.message}` }));
    req.end();
  });
}
