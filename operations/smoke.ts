// Smoke tests against one Ready predictor pod, through the API server's pod proxy
// (/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/...): it needs only API access, where a
// port-forward needs a SPDY/websocket stream.
import { CONTAINER_NAME } from "../components/manifests";
import { KubeApi, paths } from "./kubeApi";
import { Target, PREDICTOR_LABEL } from "./collect";
import { condition, Pod } from "./snapshot";
import { within } from "./deadline";

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

/** A Ready, running predictor pod, or why there is none. */
export async function pickPod(api: KubeApi, target: Target): Promise<{ pod?: Pod; reason?: string }> {
  const list = await api.getJson<{ items: Pod[] }>(paths.pods(target.namespace, `${PREDICTOR_LABEL}=${target.name}`));
  const pod = list.items.find((p) => !p.metadata.deletionTimestamp && condition(p.status?.conditions, "Ready")?.status === "True");
  return pod ? { pod } : { reason: `no Ready predictor pod among ${list.items.length} (label ${PREDICTOR_LABEL}=${target.name})` };
}

export async function runChecks(api: KubeApi, target: Target, pod: Pod, timeoutMs: number): Promise<CheckResult[]> {
  const port = pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.ports?.[0]?.containerPort;
  const results: CheckResult[] = [];
  for (const check of checks(target.name)) {
    const start = Date.now();
    const done = (ok: boolean, detail: string) => results.push({ name: check.name, ok, detail, ms: Date.now() - start });
    if (port === undefined) {
      done(false, `pod ${pod.metadata.name} has no ${CONTAINER_NAME} port`);
      continue;
    }
    try {
      const res = await within(api.request(check.method, paths.podProxy(target.namespace, pod.metadata.name, port, check.path), check.body), timeoutMs, check.name);
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      const problem = res.status === 200 ? check.problem(json) : `HTTP ${res.status}`;
      done(!problem, `${problem ? `${problem}: ` : ""}${res.body.trim().slice(0, 200)}`);
    } catch (e) {
      done(false, e instanceof Error ? e.message : String(e));
    }
  }
  return results;
}
