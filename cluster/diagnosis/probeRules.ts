// Probes: the server listens on another port than the container's (the lab's original bug), or
// a probe fails for another reason (path, timeout, a model that never loads).
import { ContainerSpec, ProbeSpec, Snapshot } from "../snapshot";
import { configKey, containerPort, currentEvents, logLines, podOf, podReady, quote, serverSpec, serverStatus } from "./facts";
import { Finding } from "./types";

/** Uvicorn's startup line, "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)", and its kin. */
const LISTENING = /(?:running|listening|serving) on\s+(?:https?:\/\/)?[^\s:]*:(\d{2,5})\b/i;
const REFUSED = /dial tcp [^\s]+:(\d{2,5}): connect: connection refused/;
const PROBE_FAILED = /^(Readiness|Liveness|Startup) probe failed: (.*)$/s;

function listeningLines(snapshot: Snapshot) {
  return logLines(snapshot).flatMap((l) => {
    const m = LISTENING.exec(l.line);
    return m ? [{ ...l, port: Number(m[1]) }] : [];
  });
}

/** Probe failures on pods that are not ready now (a 503 while the model loads is history once ready). */
function probeFailures(snapshot: Snapshot) {
  return currentEvents(snapshot).flatMap((e) => {
    const pod = podOf(snapshot, e);
    const m = PROBE_FAILED.exec(e.message ?? "");
    return e.reason === "Unhealthy" && m && pod && !podReady(pod) ? [{ event: e, kind: m[1], detail: m[2] }] : [];
  });
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
    ...probeFailures(snapshot).filter((f) => REFUSED.exec(f.detail)?.[1] === String(port)).map((f) => `event Unhealthy on Pod/${f.event.involvedObject.name}: ${quote(f.event.message!)}`),
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
  const failure = probeFailures(snapshot).find((f) => !(explained && (REFUSED.test(f.detail) || /queue-proxy/.test(f.event.involvedObject.fieldPath ?? ""))));
  if (!failure) {
    return [];
  }
  const { key, spec } = probeOf(failure.kind, snapshot);
  const path = spec?.httpGet?.path;
  const fix = /statuscode: 404/.test(failure.detail)
    ? `the probe's path does not exist: ${configKey(`${key}.path`)} is ${quote(path ?? "unset")}; the server answers /health (model loaded), /v2/health/ready and /v2/health/live`
    : /deadline exceeded|Timeout|timed out/i.test(failure.detail)
      ? `the server answers too slowly: raise ${configKey(`${key}.timeoutSeconds`)} (now ${spec?.timeoutSeconds ?? "unset"})${key === "probes.readiness" && !spec?.periodSeconds ? " (with periodSeconds 0, Knative probes aggressively: set periodSeconds too)" : ""}`
      : /statuscode: 503/.test(failure.detail)
        ? `the model is not loaded (the readiness path says 503 until it is): see the log for "could not load model"; a slow load needs ${configKey("probes.startup.enabled")} true and a larger ${configKey("probes.startup.failureThreshold")}`
        : `check ${configKey(`${key}.path`)} (now ${quote(path ?? "unset")}) and its timings`;
  return [{ cause: "probe-failing", evidence: `event Unhealthy on Pod/${failure.event.involvedObject.name}: ${quote(failure.event.message!)}`, fix }];
}
