// What only the InferenceService's conditions show: KServe could not create or update what it
// derives from the spec (the Knative Service, in Knative mode), because the cluster refused it;
// or Knative gave up on the Revision of the spec, whose pods may be gone by then.
import { Snapshot } from "../snapshot";
import { configKey, quote } from "./facts";
import { exitFix } from "./runtimeRules";
import { ConfigFacts, Finding } from "./types";

/** An admission webhook's refusal: it will be refused again until the spec changes. */
const REFUSED = /admission webhook .* denied the request/;

/** Where in the stack's config a refusal's message points, when it names a field we set from config. */
function keyFor(message: string): string {
  if (/environment variable/.test(message)) return `${configKey("env")} (or the server's own env: PORT and MODEL_NAME come from ${configKey("port")} and ${configKey("modelName")})`;
  if (/port/i.test(message)) return configKey("port");
  if (/probe/i.test(message)) return `${configKey("probes")}`;
  if (/resources|cpu|memory/i.test(message)) return configKey("resources");
  return "the config the message names";
}

/**
 * ReconcileFailed on the InferenceService (seen on KServe v0.20.0 with Knative Serving 1.21:
 * `fails to reconcile predictor: admission webhook "validation.webhook.serving.knative.dev" denied
 * the request: …`). Conclusive only for an admission refusal; another failure (a conflict) may heal.
 */
export function reconcileFailed(snapshot: Snapshot): Finding[] {
  const service = snapshot.inferenceService;
  const failed = service?.status?.conditions?.find((c) => c.status === "False" && c.reason === "ReconcileFailed" && c.message);
  if (!service || !failed) {
    return [];
  }
  const message = failed.message!;
  return [
    {
      cause: "reconcile-failed",
      evidence: `InferenceService ${service.metadata.namespace}/${service.metadata.name} ${failed.type}=False ReconcileFailed: ${quote(message)}`,
      fix: REFUSED.test(message)
        ? `the cluster refused what KServe derived from this spec, and will until it changes: change ${keyFor(message)} as the message says, then \`pulumi up\` again`
        : "KServe could not reconcile the service; if this persists, its controller's log says why",
      conclusive: REFUSED.test(message),
    },
  ];
}

/** Knative's words (configuration_lifecycle.go), which KServe copies into PredictorConfigurationReady. */
const REVISION_FAILED = /^Revision "([^"]+)" failed with message: (.*)$/s;
const CREATION_FAILED = /^Revision creation failed with message: (.*)$/s;
/** Knative gave up waiting: its progress deadline, or the Deployment's own ("ReplicaSet … has timed out progressing"). */
const GAVE_UP = /progress deadline|Initial scale was never achieved|timed out progressing/i;
const UNSCHEDULABLE = /Unschedulable|Insufficient|nodes are available/i;

function revisionFix(message: string, snapshot: Snapshot, facts: ConfigFacts): string {
  const exited = /Container failed with: (.*)$/s.exec(message);
  if (exited) return `the server exited at start (its last output is in the message): ${exitFix(exited[1], snapshot, facts)}`;
  if (GAVE_UP.test(message)) {
    return `its pods did not become ready before Knative's progress deadline (${configKey("readyTimeoutSeconds")} sets it): check ${configKey("probes")} and the image, then \`pulumi up\` again`;
  }
  if (UNSCHEDULABLE.test(message)) return `the scheduler could not place its pods: lower ${configKey("resources")}.requests or add capacity`;
  return "Knative gave up on this Revision for the reason the message gives; a new spec makes a new Revision";
}

/**
 * RevisionFailed on the InferenceService (seen on KServe v0.20.0 with Knative Serving 1.21 for a
 * server that exits at start: `Revision "…-00001" failed with message: Container failed with: …`).
 * Once Knative's progress deadline passes it scales the Revision to zero, and this condition is
 * all that is left. Only the latest created Revision's failure counts: an older one is history.
 *
 * Knative marks a Revision failed at a container's first exit and while a pod cannot be
 * scheduled, and clears it when a pod gets ready: so it is conclusive only once Knative gave up
 * (its deadline) or no pod of the Revision is left; with pods, the crash-loop and unschedulable
 * rules, which wait for the kubelet's back-off and the scheduler, decide.
 */
export function revisionFailed(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const service = snapshot.inferenceService;
  const latest = service?.status?.components?.predictor?.latestCreatedRevision;
  const failed = service?.status?.conditions?.find((c) => c.status === "False" && c.reason === "RevisionFailed" && c.message);
  if (!service || !failed) {
    return [];
  }
  const named = REVISION_FAILED.exec(failed.message!);
  const notCreated = CREATION_FAILED.exec(failed.message!);
  if ((!named && !notCreated) || (named && latest !== undefined && named[1] !== latest)) {
    return [];
  }
  const message = named ? named[2] : notCreated![1];
  return [
    {
      cause: "revision-failed",
      evidence: `InferenceService ${service.metadata.namespace}/${service.metadata.name} ${failed.type}=False RevisionFailed: ${quote(failed.message!)}`,
      fix: revisionFix(message, snapshot, facts),
      conclusive: !UNSCHEDULABLE.test(message) && (GAVE_UP.test(message) || notCreated !== null || snapshot.pods.length === 0),
      ...(named ? { revision: named[1] } : {}),
    },
  ];
}
