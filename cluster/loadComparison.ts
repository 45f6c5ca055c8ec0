// The load promote --analyze sends: the same requests to a Ready pod of the stable and one of the
// canary, alternately (so a noisy host slows both alike), each through its own port-forward with
// kept-alive connections. Each answer is timed; anything but a 2xx (an error status, a refused or
// timed-out request) counts as an error.
import * as http from "http";
import { CONTAINER_NAME } from "../core/manifests";
import { figuresOf, LoadFigures, Sample } from "../core/analysis";
import { KubeApi } from "./kubeApi";
import { openPortForward, PortForwardSession } from "./portForward";
import { SAMPLE_FEATURES } from "./smoke";
import { Pod } from "./snapshot";

export interface ComparedLoad {
  readonly stable: LoadFigures;
  readonly canary: LoadFigures;
  /** The pods the load went to. */
  readonly stablePod: string;
  readonly canaryPod: string;
}

/** One POST /predict on a kept-alive connection; resolves with its sample, never rejects. */
function timedPredict(agent: http.Agent, localPort: number, timeoutMs: number): Promise<Sample> {
  const payload = JSON.stringify({ features: SAMPLE_FEATURES });
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port: localPort, method: "POST", path: "/predict", agent, timeout: timeoutMs, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ ms: elapsed(), ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 }));
        res.on("error", () => resolve({ ms: elapsed(), ok: false }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", () => resolve({ ms: elapsed(), ok: false }));
    req.end(payload);
  });
}

function portOf(pod: Pod): number {
  const port = pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.ports?.[0]?.containerPort;
  if (port === undefined) throw new Error(`pod ${pod.metadata.name} has no ${CONTAINER_NAME} port`);
  return port;
}

/** Sends `requests` predictions to each pod, alternating; a port-forward that cannot open throws (nothing was measured). */
export async function compareLoad(api: KubeApi, namespace: string, stablePod: Pod, canaryPod: Pod, requests: number, timeoutMs = 10000): Promise<ComparedLoad> {
  const sessions: PortForwardSession[] = [];
  const agents = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 })];
  try {
    for (const pod of [stablePod, canaryPod]) {
      sessions.push(await openPortForward(api.kc, namespace, pod.metadata.name, portOf(pod), { handshakeTimeoutMs: timeoutMs }));
    }
    const samples: Sample[][] = [[], []];
    // One request to each first, unmeasured: it opens the forwarded connection.
    await Promise.all(sessions.map((s, i) => timedPredict(agents[i], s.localPort, timeoutMs)));
    for (let n = 0; n < requests; n++) {
      for (const i of n % 2 === 0 ? [0, 1] : [1, 0]) {
        samples[i].push(await timedPredict(agents[i], sessions[i].localPort, timeoutMs));
      }
    }
    return { stable: figuresOf(samples[0]), canary: figuresOf(samples[1]), stablePod: stablePod.metadata.name, canaryPod: canaryPod.metadata.name };
  } finally {
    agents.forEach((a) => a.destroy());
    await Promise.all(sessions.map((s) => s.close()));
  }
}
