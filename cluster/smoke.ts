// Smoke tests against one Ready predictor pod, through a port-forward to its kserve-container
// port (a websocket to the API server's pods/{pod}/portforward, like `kubectl port-forward`):
// plain HTTP to 127.0.0.1:<local port>, one forwarded connection per check.
import * as http from "http";
import { CONTAINER_NAME } from "../core/manifests";
import { KubeApi } from "./kubeApi";
import { openPortForward, PortForwardSession } from "./portForward";
import { Target } from "./collect";
import { Pod } from "./snapshot";
import { within } from "./deadline";
import { errorText } from "../core/errorText";

/** The lab's sample row (California housing: MedInc … Longitude). */
export const SAMPLE_FEATURES = [8.3252, 41.0, 6.98, 1.02, 322.0, 2.55, 37.88, -122.23];

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

interface Check {
  readonly name: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  /** A reason the answer is wrong, or undefined when it is right. */
  readonly problem: (json: any) => string | undefined;
}

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

export function checks(model: string): Check[] {
  return [
    { name: "GET /health", method: "GET", path: "/health", problem: (j) => (j?.status === "healthy" ? undefined : `expected {"status":"healthy"}`) },
    {
      name: "POST /predict",
      method: "POST",
      path: "/predict",
      body: { features: SAMPLE_FEATURES },
      problem: (j) => (isNumber(j?.prediction) ? undefined : "expected a numeric prediction"),
    },
    {
      name: "V1 predict",
      method: "POST",
      path: `/v1/models/${model}:predict`,
      body: { instances: [SAMPLE_FEATURES] },
      problem: (j) => (Array.isArray(j?.predictions) && j.predictions.length === 1 && isNumber(j.predictions[0]) ? undefined : "expected predictions: [one number]"),
    },
    { name: "V2 ready", method: "GET", path: `/v2/models/${model}/ready`, problem: (j) => (j?.ready === true ? undefined : "expected ready: true") },
  ];
}

/** One HTTP request on its own connection (so each check is one forwarded stream); `connected` gets the client's port. */
function localRequest(
  localPort: number,
  method: string,
  path: string,
  body: unknown,
  signal: AbortSignal,
  connected: (clientPort: number) => void,
): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { accept: "application/json" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: localPort, method, path, headers, agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("socket", (socket) => socket.once("connect", () => connected(socket.localPort ?? 0)));
    req.on("error", reject);
    req.end(payload);
  });
}

export async function runChecks(api: KubeApi, target: Target, pod: Pod, timeoutMs: number): Promise<CheckResult[]> {
  const port = pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.ports?.[0]?.containerPort;
  const all = checks(target.name);
  if (port === undefined) {
    return all.map((check) => ({ name: check.name, ok: false, detail: `pod ${pod.metadata.name} has no ${CONTAINER_NAME} port`, ms: 0 }));
  }
  let forward: PortForwardSession;
  try {
    forward = await openPortForward(api.kc, target.namespace, pod.metadata.name, port, { handshakeTimeoutMs: timeoutMs });
  } catch (e) {
    const detail = `cannot open a port-forward to pod ${pod.metadata.name} port ${port}: ${errorText(e)}`;
    return all.map((check) => ({ name: check.name, ok: false, detail, ms: 0 }));
  }
  const results: CheckResult[] = [];
  try {
    for (const check of all) {
      const start = Date.now();
      const done = (ok: boolean, detail: string) => results.push({ name: check.name, ok, detail, ms: Date.now() - start });
      const abort = new AbortController();
      let clientPort = 0;
      try {
        const request = localRequest(forward.localPort, check.method, check.path, check.body, abort.signal, (p) => (clientPort = p));
        const res = await within(request, timeoutMs, check.name);
        let json: unknown;
        try {
          json = JSON.parse(res.body);
        } catch {
          json = undefined;
        }
        const problem = res.status === 200 ? check.problem(json) : `HTTP ${res.status}`;
        done(!problem, `${problem ? `${problem}: ` : ""}${res.body.trim().slice(0, 200)}`);
      } catch (e) {
        abort.abort();
        // A refused or failed forward resets the local connection; the reason came on the error channel.
        const reasons = clientPort ? forward.errorsFor(clientPort) : [];
        const error = errorText(e);
        done(false, reasons.length > 0 ? `port-forward to pod ${pod.metadata.name} port ${port}: ${reasons.join("; ")}` : error);
      }
    }
  } finally {
    await forward.close();
  }
  return results;
}
