// The server's process: built for another CPU, killed for memory, or exiting at start.
import { MIN_MEMORY_LIMIT } from "../../core/serverNeeds";
import { ContainerState, Pod, Snapshot } from "../snapshot";
import { configKey, envConfig, envSetting, lastLines, logLines, quote, serverSpec, serverStatus } from "./facts";
import { ConfigFacts, Finding } from "./types";

const EXEC_FORMAT = /exec format error/i;

export function execFormat(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const line = logLines(snapshot).find((l) => EXEC_FORMAT.test(l.line));
  const terminated = snapshot.pods
    .flatMap((p) => [serverStatus(p)?.state?.terminated, serverStatus(p)?.lastState?.terminated].map((t) => ({ pod: p, t })))
    .find(({ t }) => EXEC_FORMAT.test(t?.message ?? ""));
  const evidence = line ? `log ${line.key}: ${quote(line.line)}` : terminated ? `${terminated.pod.metadata.name} terminated: ${quote(terminated.t!.message!)}` : undefined;
  if (!evidence) {
    return [];
  }
  const platform = facts.image
    ? `the given image (${configKey("image")} is ${quote(facts.image)}) was built for another CPU: rebuild it for the nodes' architecture`
    : `${configKey("build.platform")} is ${quote(facts.buildPlatform ?? "linux/amd64")}${facts.buildPlatform ? "" : " (the default, unless the stack sets it)"}: set it to the nodes' CPU, their \`kubernetes.io/arch\` label (\`linux/arm64\` for Graviton nodes, \`linux/amd64\` for x86)`;
  return [{ cause: "exec-format", evidence, fix: `the image's binaries are for another CPU architecture; ${platform}` }];
}

function oomState(state: ContainerState | undefined): boolean {
  const t = state?.terminated;
  return t?.reason === "OOMKilled" || t?.exitCode === 137;
}

export function oomKilled(snapshot: Snapshot): Finding[] {
  for (const pod of snapshot.pods) {
    const status = serverStatus(pod);
    const which = oomState(status?.state) ? "state" : oomState(status?.lastState) ? "lastState" : undefined;
    if (status && which) {
      const t = status[which]!.terminated!;
      const limit = serverSpec(snapshot)?.resources?.limits?.memory ?? pod.spec?.containers.find((c) => c.name === status.name)?.resources?.limits?.memory;
      return [
        {
          cause: "oom-killed",
          evidence: `${pod.metadata.name} ${status.name} ${which}.terminated: reason=${t.reason ?? "(none)"} exitCode=${t.exitCode}${t.finishedAt ? ` at ${t.finishedAt}` : ""} (restarts: ${status.restartCount})`,
          fix: `raise ${configKey("resources.limits.memory")} (now ${quote(limit ?? "unset")}); the server's measured peak is 77–104 MB, so at least ${MIN_MEMORY_LIMIT}, more for large batches`,
        },
      ];
    }
  }
  return [];
}

function crashing(pod: Pod): boolean {
  const status = serverStatus(pod);
  const lastExit = status?.lastState?.terminated?.exitCode;
  return status?.state?.waiting?.reason === "CrashLoopBackOff" || (status?.restartCount ?? 0) > 0 && lastExit !== undefined && lastExit !== 0;
}

/** The server exits at start; its previous instance's last lines say why. */
export function crashLoop(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const pod = snapshot.pods.find(crashing);
  if (!pod) {
    return [];
  }
  const status = serverStatus(pod)!;
  const lines = lastLines(snapshot, pod, true, 5);
  const last = status.lastState?.terminated;
  const evidence = lines.length > 0
    ? `${pod.metadata.name} previous ${status.name} log ends: ${lines.map(quote).join(" / ")}`
    : `${pod.metadata.name} ${status.name} ${status.state?.waiting?.reason ?? "restarted"}, last exit code ${last?.exitCode ?? "?"}${last?.message ? `: ${quote(last.message)}` : ""} (restarts: ${status.restartCount}; no previous log)`;
  return [{ cause: "crash-loop", evidence, fix: exitFix(lines.join("\n"), snapshot, facts) }];
}

/** What to change for a server that exited at start, from the last lines it wrote. */
export function exitFix(text: string, snapshot: Snapshot, facts: ConfigFacts): string {
  return /ModuleNotFoundError|No module named|ImportError/.test(text)
    ? "the image lacks a Python package: add it to app/requirements.txt and deploy again (`pulumi up` rebuilds the image)"
    : /invalid environment|must be/.test(text)
      ? `the server refused its environment: fix ${configKey("env")} (now ${envSetting(snapshot, facts)}); PORT and MODEL_NAME come from \`port\` and \`modelName\``
      : /could not load model/.test(text)
        ? "MODEL_DIR" in envConfig(snapshot, facts)
          ? `the server found no usable model in MODEL_DIR, which ${configKey("env")} sets (now ${envSetting(snapshot, facts)}): remove MODEL_DIR from env (the image sets it to its own model) or point it at a folder inside the image`
          : "the model files are missing, unreadable or not the ones their metadata.json records (sha256): check app/models/ (retrain with python -m model_server.train, see app/README.md) and MODEL_DIR"
        : `read the previous log above; check ${configKey("env")} (now ${envSetting(snapshot, facts)}) and that the image runs locally: \`docker run -e PORT=… <image>\``;
}
