// (Over 250 lines: one server, whose REST paths and port-forward websockets share the recorded state.)
// A loopback Kubernetes API server for the operating commands' tests: it serves the REST paths
// they call from recorded objects, filters pods by label selector, checks the bearer token, and
// accepts port-forward websockets (pods/{pod}/portforward?ports=N, v4.channel.k8s.io) the way
// the kubelet answers them: the port on each channel's first frame, then channel 0 bridged to a
// loopback model server (app/README.md's answers) when N is the port the server really listens
// on, or the kubelet's "connection refused" on channel 1 and a close otherwise.
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { WebSocket, WebSocketServer } from "ws";
import * as YAML from "yaml";
import { InferenceService, KubeEvent, Pod, Snapshot } from "../../cluster/snapshot";
import { KubeApi, loadKubeConfig } from "../../cluster/kubeApi";

export const TOKEN = "test-token-0123456789";

export interface FakeState {
  /** Answered in turn on each GET of the service (the last one repeats); null = 404. */
  services: (InferenceService | null)[];
  /** Other InferenceServices (a Standard-mode canary's), answered by name. */
  otherServices: InferenceService[];
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
  /** apps/v1 Deployments and ReplicaSets (Standard mode's predictor), as the API returns them. */
  deployments: KubeObject[];
  replicaSets: KubeObject[];
  /** serving.knative.dev/v1 Revisions (Knative mode), as the API returns them. */
  knativeRevisions: KubeObject[];
  /** Knative Services (the predictor's `<name>-predictor`), served by name. */
  knativeServices: KubeObject[];
  /** Namespaces that exist, as the API returns them. */
  namespaces: KubeObject[];
}

/** Any object the API returns: only its metadata is read here. */
export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, any>;

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

/** A port-forward websocket the API server accepted. */
export interface RecordedPortForward {
  namespace: string;
  pod: string;
  ports: string;
  protocol: string;
}

/** The subprotocol the kubelet's websocket port-forward speaks: binary frames, a channel byte first. */
export const PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io";

export function stateFrom(snapshot: Snapshot, overrides: Partial<FakeState> = {}): FakeState {
  return {
    services: [snapshot.inferenceService],
    otherServices: snapshot.canaryService ? [snapshot.canaryService] : [],
    pods: snapshot.pods,
    events: snapshot.events,
    logs: snapshot.logs,
    listenPort: 8000,
    modelLoaded: true,
    delays: [],
    failures: [],
    deployments: [],
    replicaSets: [],
    knativeRevisions: [],
    knativeServices: [],
    namespaces: [],
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

/** Equality terms (`key=value`) and set terms (`key in (a,b)`), comma-separated, as the API server reads them. */
function matchesSelector(object: { metadata: { labels?: Record<string, string> } }, selector: string): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((term) => {
    const set = /^\s*(\S+)\s+in\s+\(([^)]*)\)\s*$/.exec(term);
    if (set) return set[2].split(",").map((v) => v.trim()).includes(object.metadata.labels?.[set[1]] ?? "\0");
    const [key, value] = term.split("=");
    return object.metadata.labels?.[key.trim()] === value;
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

/** A fake container sandbox id, as the kubelet names the pod in port-forward errors. */
function sandboxId(pod: Pod): string {
  let hex = "";
  for (const c of `${pod.metadata.namespace}/${pod.metadata.name}`) hex += c.charCodeAt(0).toString(16);
  return hex.padEnd(64, "0").slice(0, 64);
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  /** Port-forward websockets opened (after the handshake). */
  readonly portForwards: RecordedPortForward[] = [];
  /** Requests the model server behind the port-forward answered (path as the server saw it). */
  readonly modelRequests: RecordedRequest[] = [];
  private server?: http.Server;
  private modelServer?: http.Server;
  private readonly websockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false),
  });
  private readonly bridged = new Set<net.Socket>();
  /** Model-server connections (by their local port) to the pod they were forwarded for. */
  private readonly forwardedFor = new Map<number, Pod>();
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
    this.server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
    this.modelServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const route = req.url ?? "/";
        this.modelRequests.push({ method: req.method ?? "", path: route, body });
        const pod = this.forwardedFor.get(req.socket.remotePort ?? 0);
        // The server names its model after MODEL_NAME (a canary InferenceService serves the stable's model name).
        const env = pod?.spec?.containers.find((c) => c.name === "kserve-container")?.env as { name: string; value?: string }[] | undefined;
        const model = env?.find((e) => e.name === "MODEL_NAME")?.value ?? pod?.metadata.labels?.["serving.kserve.io/inferenceservice"] ?? "";
        const delay = this.state.delays.find((d) => d.pattern.test(route))?.ms ?? 0;
        setTimeout(() => modelServer(this.state, model, req.method ?? "", route, body, res), delay);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => this.modelServer!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.websockets.clients) ws.terminate();
    for (const socket of this.bridged) socket.destroy();
    this.server?.closeAllConnections();
    this.modelServer?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.modelServer ? this.modelServer.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => this.websockets.close(() => resolve()));
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

  /** The project's API client, with this server's kubeconfig and a short request timeout. */
  client(timeoutMs = 2000): KubeApi {
    return new KubeApi(loadKubeConfig(this.writeKubeconfig()), timeoutMs);
  }

  /** The websocket upgrade of pods/{pod}/portforward; anything else is refused like the API server does. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    this.requests.push({ method: req.method ?? "", path: req.url ?? "", body: "" });
    socket.on("error", () => undefined);
    const refuse = (code: number, message: string, reason: string) => {
      const body = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    const url = new URL(req.url ?? "/", "http://localhost");
    const p = decodeURIComponent(url.pathname);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return refuse(401, "Unauthorized", "Unauthorized");
    const failure = this.state.failures.find((f) => f.pattern.test(req.url ?? ""));
    if (failure) return refuse(failure.status, failure.message, "InternalError");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(p);
    if (req.method !== "GET" || !m) return refuse(404, `the server could not find the requested resource (${req.method} ${p})`, "NotFound");
    const pod = this.state.pods.find((x) => x.metadata.name === m[2] && x.metadata.namespace === m[1]);
    if (!pod) return refuse(404, `pods "${m[2]}" not found`, "NotFound");
    const ports = url.searchParams.get("ports") ?? "";
    if (!/^\d+$/.test(ports)) return refuse(400, "query parameter \"port\" is required", "BadRequest");
    this.websockets.handleUpgrade(req, socket, head, (ws) => {
      this.portForwards.push({ namespace: m[1], pod: m[2], ports, protocol: ws.protocol });
      this.forward(ws, pod, Number(ports));
    });
  }

  /** One forwarded stream, as the kubelet serves it. */
  private forward(ws: WebSocket, pod: Pod, port: number): void {
    const frame = (channel: number, data: Buffer) => Buffer.concat([Buffer.from([channel]), data]);
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    ws.send(frame(0, portBytes));
    ws.send(frame(1, portBytes));
    if (port !== this.state.listenPort) {
      const id = sandboxId(pod);
      const netns = `/var/run/netns/cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
      const error =
        `error forwarding port ${port} to pod ${id}, uid : failed to execute portforward in network namespace "${netns}": ` +
        `failed to connect to localhost:${port} inside namespace "${id}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
        `IPv6 dial tcp6 [::1]:${port}: connect: connection refused`;
      ws.send(frame(1, Buffer.from(error)));
      ws.close();
      return;
    }
    const conn = net.connect((this.modelServer!.address() as AddressInfo).port, "127.0.0.1");
    this.bridged.add(conn);
    const pending: Buffer[] = [];
    let connected = false;
    conn.on("connect", () => {
      this.forwardedFor.set(conn.localPort!, pod);
      connected = true;
      for (const data of pending.splice(0)) conn.write(data);
    });
    conn.on("data", (data: Buffer) => ws.readyState === ws.OPEN && ws.send(frame(0, data)));
    conn.on("error", () => ws.close());
    conn.on("close", () => {
      this.bridged.delete(conn);
      ws.close();
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length < 1 || data[0] !== 0) return;
      const payload = data.subarray(1);
      if (connected) conn.write(payload);
      else pending.push(payload);
    });
    ws.on("close", () => conn.destroy());
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
      const other = this.state.otherServices.find((s) => s.metadata.namespace === m![1] && s.metadata.name === m![2]);
      if (other) {
        return json(res, other);
      }
      const services = this.state.services;
      // A GET of another name (a canary that does not exist) does not move the sequence on.
      const name = services.find((s) => s)?.metadata.name;
      if (name !== undefined && name !== m[2]) {
        return status(res, 404, `inferenceservices.serving.kserve.io "${m[2]}" not found`, "NotFound");
      }
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
    if (req.method === "GET" && (m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(p))) {
      const deployment = this.state.deployments.find((d) => d.metadata.namespace === m![1] && d.metadata.name === m![2]);
      return deployment ? json(res, deployment) : status(res, 404, `deployments.apps "${m[2]}" not found`, "NotFound");
    }
    if (req.method === "GET" && (m = /^\/apis\/serving\.knative\.dev\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(p))) {
      const ksvc = this.state.knativeServices.find((r) => r.metadata.namespace === m![1] && r.metadata.name === m![2]);
      return ksvc ? json(res, ksvc) : status(res, 404, `services.serving.knative.dev "${m[2]}" not found`, "NotFound");
    }
    if (req.method === "GET" && (m = /^\/apis\/serving\.knative\.dev\/v1\/namespaces\/([^/]+)\/revisions\/([^/]+)$/.exec(p))) {
      const revision = this.state.knativeRevisions.find((r) => r.metadata.namespace === m![1] && r.metadata.name === m![2]);
      return revision ? json(res, revision) : status(res, 404, `revisions.serving.knative.dev "${m[2]}" not found`, "NotFound");
    }
    if (req.method === "GET" && (m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/.exec(p))) {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const items = this.state.replicaSets.filter((rs) => rs.metadata.namespace === m![1] && matchesSelector(rs, selector));
      return json(res, { kind: "ReplicaSetList", apiVersion: "apps/v1", metadata: { resourceVersion: "184999" }, items });
    }
    if (req.method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p))) {
      const namespace = this.state.namespaces.find((n) => n.metadata.name === m![1]);
      return namespace ? json(res, namespace) : status(res, 404, `namespaces "${m[1]}" not found`, "NotFound");
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
    status(res, 404, `the server could not find the requested resource (${req.method} ${p})`, "NotFound");
  }
}
