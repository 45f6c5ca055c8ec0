// Probes: the server listens on another port than the container's (the lab's original bug), or
// a probe fails for another reason (path, timeout, a model that never loads).
import { ContainerSpec, logKey, ProbeSpec, Snapshot } from "../snapshot";
import { configKey, containerPort, currentEvents, logLines, podOf, podReady, quote, serverSpec, serverStatus } from "./facts";
import { Finding } from "./types";

/** Uvicorn's startup line, "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)", and its kin. */
const LISTENING = /(?:running|listening|serving) on\s+(?:https?:\/\/)?[^\s:]*:(\d{2,5})\b/i;
const REFUSED = /dial tcp [^\s]+:(\d{2,5}): connect: connection refused/;
const PROBE_FAILED = /^(Readiness|Liveness|Startup) probe failed: (.*)$/s;
/** A model's own route (V1/V2 protocol): a model server answers 404 there until it has loaded the model. */
const MODEL_PATH = /^\/v[12]\/models\//;

function listeningLines(snapshot: Snapshot) {
  return logLines(snapshot).flatMap((l) => {
    const m = LISTENING.exec(l.line);
    return m ? [{ ...l, port: Number(m[1]) }] : [];
  });
}

/**
 * Knative mode: the kubelet probes queue-proxy, which probes the server and answers 503 (or, while
 * it probes aggressively, makes the kubelet time out) whatever the server said. Queue-proxy's log
 * has the server's answer, seen on Knative Serving 1.21: "aggressive probe error (failed 201
 * times): HTTP probe did not respond Ready, got status code: 404", then its own "context deadline
 * exceeded"; so a line with the server's answer wins over a bare timeout.
 */
const QUEUE_PROXY = "queue-proxy";
const SERVER_STATUS = /HTTP probe did not respond Ready, got status code: (\d{3})/;
const SERVER_TIMEOUT = /Client\.Timeout|i\/o timeout|context deadline exceeded/;

/** What the server answered queue-proxy's readiness probe, in the kubelet's words; undefined when its log does not say. */
function queueProxyAnswer(snapshot: Snapshot, pod: string): { detail: string; line: string } | undefined {
  const lines = (snapshot.logs?.[logKey(pod, QUEUE_PROXY)] ?? "").split(/\r?\n/).map((l) => l.trim()).reverse();
  for (const line of lines) {
    const status = SERVER_STATUS.exec(line);
    if (status) return { detail: `HTTP probe failed with statuscode: ${status[1]}`, line };
    const refused = REFUSED.exec(line);
    if (refused) return { detail: refused[0], line };
  }
  const timeout = lines.find((l) => SERVER_TIMEOUT.test(l));
  return timeout ? { detail: "Timeout: context deadline exceeded", line: timeout } : undefined;
}

interface ProbeFailure {
  readonly kind: string;
  /** The failure in the kubelet's words ("HTTP probe failed with statuscode: 404", a dial error, a timeout). */
  readonly detail: string;
  /** Reported by queue-proxy (Knative mode) rather than the kubelet probing the server itself. */
  readonly viaQueueProxy: boolean;
  /** Whether queue-proxy's log said what the server answered. */
  readonly queueProxyAnswered: boolean;
  readonly evidence: string;
}

/**
 * Probe failures on pods that are not ready now (a 503 while the model loads is history once
 * ready): the kubelet's Unhealthy events, and queue-proxy's own log, which says what the server
 * answered tens of seconds before the kubelet's first event does.
 */
function probeFailures(snapshot: Snapshot): ProbeFailure[] {
  const events = currentEvents(snapshot);
  const fromEvents = events.flatMap((e) => {
    const pod = podOf(snapshot, e);
    const m = PROBE_FAILED.exec(e.message ?? "");
    if (e.reason !== "Unhealthy" || !m || !pod || podReady(pod)) return [];
    const viaQueueProxy = (e.involvedObject.fieldPath ?? "").includes(QUEUE_PROXY);
    const answer = viaQueueProxy ? queueProxyAnswer(snapshot, pod.metadata.name) : undefined;
    const event = `event Unhealthy on Pod/${pod.metadata.name}: ${quote(e.message!)}`;
    const evidence = answer ? `${event}; log ${logKey(pod.metadata.name, QUEUE_PROXY)}: ${quote(answer.line)}` : event;
    return [{ kind: m[1], detail: answer?.detail ?? m[2], viaQueueProxy, queueProxyAnswered: answer !== undefined, evidence }];
  });
  const withEvents = new Set(events.filter((e) => e.reason === "Unhealthy").map((e) => e.involvedObject.name));
  const fromQueueProxy = snapshot.pods
    .filter((pod) => !podReady(pod) && !withEvents.has(pod.metadata.name))
    .flatMap((pod) => {
      const answer = queueProxyAnswer(snapshot, pod.metadata.name);
      // Only the server's own answer: a bare timeout this early may be a server still starting.
      if (!answer || !SERVER_STATUS.test(answer.line)) return [];
      return [{ kind: "Readiness", detail: answer.detail, viaQueueProxy: true, queueProxyAnswered: true, evidence: `log ${logKey(pod.metadata.name, QUEUE_PROXY)}: ${quote(answer.line)}` }];
    });
  return [...fromEvents, ...fromQueueProxy];
}

export function portMismatch(snapshot: Snapshot): Finding[] {
  const port = containerPort(snapshot);
  if (port === undefined) {
    return [];
  }
  const fix = (listens: string) =>
    `${configKey("port")} is ${port} (the container port and every probe) but the server listens on ${listens}: set ${configKey("port")} to the image's port, or rebuild the image so the server reads $PORT (\`python -m model_server\` does)`;
  // The server's own word on its port: no slow start says another port.
  const other = listeningLines(snapshot).find((l) => l.port !== port);
  if (other) {
    return [{ cause: "port-mismatch", evidence: `log ${other.key}: ${quote(other.line)}; container port ${port}`, fix: fix(String(other.port)), conclusive: true }];
  }
  // No startup line on another port, but nothing answers on ours while the server runs.
  const listensOnOurs = listeningLines(snapshot).some((l) => l.port === port);
  const running = snapshot.pods.some((p) => serverStatus(p)?.state?.running);
  const refused = [
    ...probeFailures(snapshot).filter((f) => REFUSED.exec(f.detail)?.[1] === String(port)).map((f) => f.evidence),
    ...logLines(snapshot).filter((l) => REFUSED.exec(l.line)?.[1] === String(port)).map((l) => `log ${l.key}: ${quote(l.line)}`),
  ];
  if (!listensOnOurs && running && refused.length > 0) {
    // A server that binds after loading its model refuses connections too, until it binds.
    return [{ cause: "port-mismatch", evidence: refused[0], fix: fix("another port (its startup log line says which)"), conclusive: startBudgetSpent(snapshot) }];
  }
  return [];
}

/** How long the probes let a container start: the startup probe's budget, else liveness'. */
function startBudgetSeconds(spec: ContainerSpec | undefined): number | undefined {
  const probe = spec?.startupProbe ?? spec?.livenessProbe;
  return probe ? (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3) : undefined;
}

/**
 * The probes gave up on a start: the kubelet restarted the server for failing its startup or
 * liveness probe, or the server has run past their budget without answering.
 */
function startBudgetSpent(snapshot: Snapshot): boolean {
  if (currentEvents(snapshot).some((e) => e.reason === "Killing" && /failed (startup|liveness) probe/.test(e.message ?? ""))) {
    return true;
  }
  const budget = startBudgetSeconds(serverSpec(snapshot));
  const now = Date.parse(snapshot.collectedAt ?? "");
  return (
    budget !== undefined &&
    !Number.isNaN(now) &&
    snapshot.pods.some((p) => {
      const started = Date.parse(serverStatus(p)?.state?.running?.startedAt ?? "");
      return !Number.isNaN(started) && now - started > budget * 1000;
    })
  );
}

function probeOf(kind: string, snapshot: Snapshot): { key: string; spec?: ProbeSpec } {
  const name = kind.toLowerCase() as "readiness" | "liveness" | "startup";
  const spec = serverSpec(snapshot)?.[`${name}Probe`];
  return { key: `probes.${name}`, spec };
}

export function probeFailing(snapshot: Snapshot): Finding[] {
  // With the port wrong, refused connections and queue-proxy's failing readiness are its symptoms.
  const explained = portMismatch(snapshot).length > 0;
  const failure = probeFailures(snapshot).find((f) => !(explained && (REFUSED.test(f.detail) || f.viaQueueProxy)));
  if (!failure) {
    return [];
  }
  const { key, spec } = probeOf(failure.kind, snapshot);
  const path = spec?.httpGet?.path;
  const missingPath = /statuscode: 404/.test(failure.detail);
  // The startup probe's path defaults to the readiness probe's: the user may have set only that.
  const followsReadiness = key === "probes.startup" && path !== undefined && path === serverSpec(snapshot)?.readinessProbe?.httpGet?.path;
  const fix =
    failure.viaQueueProxy && !failure.queueProxyAnswered
      ? `queue-proxy reported the server not ready (its 503 or the kubelet's timeout is queue-proxy's own, not the server's answer); its log says what ${configKey(`${key}.path`)} (now ${quote(path ?? "unset")}) answered: check that path and its timings`
      : missingPath
        ? `the probe's path does not exist: ${configKey(`${key}.path`)} is ${quote(path ?? "unset")}${followsReadiness ? ` (it follows ${configKey("probes.readiness.path")} unless set)` : ""}; the server answers /health (model loaded), /v2/health/ready and /v2/health/live`
        : /deadline exceeded|Timeout|timed out/i.test(failure.detail)
          ? `the server answers too slowly: raise ${configKey(`${key}.timeoutSeconds`)} (now ${spec?.timeoutSeconds ?? "unset"})${key === "probes.readiness" && !spec?.periodSeconds ? " (with periodSeconds 0, Knative probes aggressively: set periodSeconds too)" : ""}`
          : /statuscode: 503/.test(failure.detail)
            ? `the model is not loaded (the readiness path says 503 until it is): see the log for "could not load model"; a slow load needs ${configKey("probes.startup.enabled")} true and a larger ${configKey("probes.startup.failureThreshold")}`
            : `check ${configKey(`${key}.path`)} (now ${quote(path ?? "unset")}) and its timings`;
  // A path that does not exist will not appear by waiting; anything else may be a slow start. A
  // model's own path (`/v2/models/<name>/ready`) is the exception: model servers answer it 404
  // until the model is registered.
  return [{ cause: "probe-failing", evidence: failure.evidence, fix, conclusive: missingPath && !MODEL_PATH.test(path ?? "") }];
}
