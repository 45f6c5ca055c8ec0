// What only the InferenceService's conditions show: KServe could not create or update what it
// derives from the spec (the Knative Service, in Knative mode), because the cluster refused it.
import { Snapshot } from "../snapshot";
import { configKey, quote } from "./facts";
import { Finding } from "./types";

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
