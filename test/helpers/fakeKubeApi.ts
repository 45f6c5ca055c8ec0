// A loopback Kubernetes API server for the operating commands' tests: it serves the REST paths
// they call from recorded objects, filters pods by label selector, checks the bearer token, and
// behind the pod proxy answers like the model server (app/README.md) only on the port the server
// really listens on, like the real API server's proxy ("connection refused" otherwise).
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { InferenceService, KubeEvent, Pod, Snapshot } from "../../operations/snapshot";

export const TOKEN = "test-token-0123456789";

export interface FakeState {
  /** Answered in turn on each GET of the service (the last one repeats); null = 404. */
  services: (InferenceService | null)[];
  pods: Pod[];
  events: KubeEvent[];
  logs: Record<string, string>;
  /** The port the model server listens on inside every pod. */
  listenPort: number;
  /** The model server's readiness (/health 503 until loaded). */
  modelLoaded: boolean;
  /** Delay before answering paths matching a pattern (the slow cases). */
  delays: { pattern: RegExp; ms: number }[];
  /** Status to answer for paths matching a pattern (the failing cases). */
  failures: { pattern: RegExp; status: number; message: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

export function stateFrom(snapshot: Snapshot, overrides: Partial<FakeState> = {}): FakeState {
  return {
    services: [snapshot.inferenceService],
    pods: snapshot.pods,
    events: snapshot.events,
    logs: snapshot.logs,
    listenPort: 8000,
    modelLoaded: true,
    delays: [],
    failures: [],
    ...overrides,
  };
}

function status(res: http.ServerResponse, code: number, message: string, reason = "InternalError"): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

function json(res: http.ServerResponse, body: unknown, code = 200): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function matchesSelector(pod: Pod, selector: string): boolean {
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return pod.metadata.labels?.[key] === value;
  });
}

const isRow = (row: unknown) => Array.isArray(row) && row.length === 8 && row.every((v) => typeof v === "number" && Number.isFinite(v));

/** The model server's answers, as documented in app/README.md. */
function modelServer(state: FakeState, model: string, method: string, route: string, body: string, res: http.ServerResponse): void {
  let parsed: any;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    return json(res, { detail: "invalid JSON" }, 400);
  }
  if (method === "GET" && route === "/health") {
    return json(res, state.modelLoaded ? { status: "healthy", model_loaded: true } : { status: "loading", model_loaded: false }, state.modelLoaded ? 200 : 503);
  }
  if (method === "POST" && route === "/predict") {
    if (!isRow(parsed?.features)) return json(res, { detail: "features: expected 8 numbers" }, 422);
    return json(res, { prediction: 4.526, model_version: "2026-11-20T09:14:03Z-5b1e7c", features_used: ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"] });
  }
  if (method === "POST" && route === `/v1/models/${model}:predict`) {
    if (!Array.isArray(parsed?.instances) || !parsed.instances.every(isRow)) return json(res, { error: "instances: expected rows of 8 numbers" }, 400);
    return json(res, { predictions: parsed.instances.map(() => 4.526) });
  }
  if (method === "GET" && route === `/v2/models/${model}/ready`) {
    return json(res, { name: model, ready: state.modelLoaded }, state.modelLoaded ? 200 : 503);
  }
  return json(res, { detail: "Not Found" }, 404);
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  private server?: http.Server;
  private serviceReads = 0;

  constructor(public state: FakeState) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        this.requests.push({ method: req.method ?? "", path: req.url ?? "", body });
        const delay = this.state.delays.find((d) => d.pattern.test(req.url ?? ""))?.ms ?? 0;
        setTimeout(() => this.handle(req, res, body), delay);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig file pointing at this server with a bearer token. */
  writeKubeconfig(dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kube-"))): string {
    const file = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      file,
      YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fake", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "tester", user: { token: TOKEN } }],
        contexts: [{ name: "fake", context: { cluster: "fake", user: "tester" } }],
        "current-context": "fake",
      }),
    );
    return file;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const p = decodeURIComponent(url.pathname);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return status(res, 401, "Unauthorized", "Unauthorized");
    }
    const failure = this.state.failures.find((f) => f.pattern.test(req.url ?? ""));
    if (failure) {
      return status(res, failure.status, failure.message);
    }
    let m: RegExpExecArray | null;
    if (req.method === "GET" && (m = /^\/apis\/serving\.kserve\.io\/v1beta1\/namespaces\/([^/]+)\/inferenceservices\/([^/]+)$/.exec(p))) {
      const services = this.state.services;
      const service = services[Math.min(this.serviceReads++, services.length - 1)];
      if (!service || service.metadata.namespace !== m[1] || service.metadata.name !== m[2]) {
        return status(res, 404, `inferenceservices.serving.kserve.io "${m[2]}" not found`, "NotFound");
      }
      return json(res, service);
    }
    if (req.method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p))) {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const items = this.state.pods.filter((pod) => pod.metadata.namespace === m![1] && matchesSelector(pod, selector));
      return json(res, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "184999" }, items });
    }
    if (req.method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(p))) {
      const items = this.state.events.filter((e) => e.involvedObject.namespace === m![1]);
      return json(res, { kind: "EventList", apiVersion: "v1", metadata: { resourceVersion: "184999" }, items });
    }
    if (req.method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(p))) {
      const container = url.searchParams.get("container") ?? "";
      const previous = url.searchParams.get("previous") === "true";
      const text = this.state.logs[`${m[2]}/${container}${previous ? "/previous" : ""}`];
      if (text === undefined) {
        return status(res, 400, previous ? `previous terminated container "${container}" in pod "${m[2]}" not found` : `container "${container}" in pod "${m[2]}" is waiting to start: ContainerCreating`, "BadRequest");
      }
      const tail = Number(url.searchParams.get("tailLines") ?? "0");
      const lines = text.split("\n");
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end(tail > 0 ? lines.slice(-(tail + 1)).join("\n") : text);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/:]+):(\d+)\/proxy(\/.*)$/.exec(p))) {
      const pod = this.state.pods.find((x) => x.metadata.name === m![2] && x.metadata.namespace === m![1]);
      if (!pod) return status(res, 404, `pods "${m[2]}" not found`, "NotFound");
      if (Number(m[3]) !== this.state.listenPort) {
        return status(res, 503, `error trying to reach service: dial tcp 10.0.13.57:${m[3]}: connect: connection refused`, "ServiceUnavailable");
      }
      const model = pod.metadata.labels?.["serving.kserve.io/inferenceservice"] ?? "";
      return modelServer(this.state, model, req.method ?? "", m[4], body, res);
    }
    status(res, 404, `the server could not find the requested resource (${req.method} ${p})`, "NotFound");
  }
}
