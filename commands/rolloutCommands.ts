// promote and rollback: change the stack's config, then run the program (the same component
// code as `pulumi up`) through the Automation API. Promote makes the canary's digest the stable
// one (`rollout.stableImage`); rollback points `image` back at the stable digest. In Standard
// mode the canary is the InferenceService `<name>-canary`: promote is a rolling update of the
// stable to the canary's digest (watched until it serves), then the canary is deleted; rollback
// deletes the canary and leaves the stable as it is. Both refuse when no canary runs.
import type { Stack } from "@pulumi/pulumi/automation";
import type { Settings } from "../core/config/settings";
import { KubeApi, paths } from "../cluster/kubeApi";
import { InferenceService, servingContainer } from "../cluster/snapshot";
import { canaryServiceName } from "../core/canary";
import { isKnative } from "../core/deploymentMode";
import { CANARY_PERCENT_ANNOTATION } from "../core/manifests";

/** The canary the cluster runs now: its image, and the stable one beside it. */
export interface RunningCanary {
  readonly image: string;
  readonly percent: number;
  readonly stableImage: string;
}

const serverImage = (service: InferenceService | null) => servingContainer(service?.spec?.predictor?.containers)?.image;

/** Refuses a stack that makes no canaries: nothing to promote or roll back. */
export function requireCanaries(s: Settings): void {
  if (s.rollout.canaryPercent === undefined) {
    throw new Error("nothing to do: model-serving:rollout.canaryPercent is unset, so this stack makes no canaries");
  }
}

/** Reads the canary from the cluster (Standard: `<name>-canary`; Knative: canaryTrafficPercent), or says why there is none. */
export async function runningCanary(api: KubeApi, s: Settings): Promise<RunningCanary> {
  requireCanaries(s);
  const service = await api.getJsonOrNull<InferenceService>(paths.inferenceService(s.namespace, s.modelName));
  if (!service) {
    throw new Error(`nothing to do: no InferenceService ${s.namespace}/${s.modelName}`);
  }
  const stable = serverImage(service);
  const none = () => new Error(`nothing to do: ${s.namespace}/${s.modelName} runs no canary (its stable image is ${stable ?? "unknown"})`);
  if (isKnative(s)) {
    const percent = service.spec?.predictor?.canaryTrafficPercent;
    if (percent === undefined || !stable || !s.rollout.stableImage) throw none();
    return { image: stable, percent, stableImage: s.rollout.stableImage };
  }
  const canary = await api.getJsonOrNull<InferenceService>(paths.inferenceService(s.namespace, canaryServiceName(s.modelName)));
  const image = serverImage(canary);
  if (!image || !stable) throw none();
  return { image, percent: Number(canary?.metadata.annotations?.[CANARY_PERCENT_ANNOTATION] ?? s.rollout.canaryPercent), stableImage: stable };
}

export interface CommandResult {
  readonly ok: boolean;
  readonly output: string;
}

async function apply(stack: Stack, config: Record<string, string>, log: (line: string) => void): Promise<CommandResult> {
  for (const [key, value] of Object.entries(config)) {
    await stack.setConfig(key, { value }, true);
  }
  let output = "";
  try {
    await stack.up({ onOutput: (text) => ((output += text), log(text.replace(/\n$/, ""))), color: "never" });
    return { ok: true, output };
  } catch (e) {
    return { ok: false, output: `${output}\n${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The canary's image becomes the stable one. */
export async function promote(stack: Stack, s: Settings, canary: RunningCanary, log: (line: string) => void): Promise<CommandResult> {
  log(`promote: model-serving:rollout.stableImage ${canary.stableImage} → ${canary.image}`);
  log(
    isKnative(s)
      ? `  the canary Revision (${canary.percent} %) takes all of the traffic`
      : `  ${s.modelName} rolls over to the canary's image (a new pod Ready before an old one stops), then ${canaryServiceName(s.modelName)} is deleted`,
  );
  return apply(stack, { "model-serving:rollout.stableImage": canary.image }, log);
}

/**
 * The canary is removed; the stable is left as it is. Knative mode does KServe's own rollback,
 * in two updates of the program: first the stable image as a canary at 0 % (config: `image` and
 * `rollout.canaryPercent: 0`, with the canary's digest as `rollout.stableImage` for the moment),
 * so KServe keeps all of the traffic on the stable Revision (`latestRolledoutRevision`) while a
 * Revision of the stable image starts, and `up` returns once it is ready; then the real
 * `rollout.stableImage` and share again, and that ready Revision takes 100 %. Pinning the image
 * and dropping the share at once routes "latest" to the latest *ready* Revision — the canary —
 * until the new one is ready (measured on the toolchain cluster: the canary answered 27.6 % of
 * the requests during such a rollback, at a 20 % share).
 */
export async function rollback(stack: Stack, s: Settings, canary: RunningCanary, log: (line: string) => void): Promise<CommandResult> {
  log(`rollback: model-serving:image ${s.image ?? "(built)"} → ${canary.stableImage}`);
  log(`  the canary ${canary.image} (${canary.percent} %) is removed; the stable is untouched`);
  if (s.image === undefined) {
    log("  the stack now deploys that digest instead of building; unset model-serving:image to build and canary again");
  }
  if (!isKnative(s)) {
    return apply(stack, { "model-serving:image": canary.stableImage }, log);
  }
  log("  1. the stable image as a canary at 0 %: all traffic stays on the stable Revision while a Revision of it starts");
  const held = await apply(stack, { "model-serving:image": canary.stableImage, "model-serving:rollout.stableImage": canary.image, "model-serving:rollout.canaryPercent": "0" }, log);
  if (!held.ok) {
    log(`  stopped with rollout.stableImage set to the canary's digest and canaryPercent 0 (no traffic to the canary); fix the cause, then set rollout.stableImage: ${canary.stableImage} and canaryPercent: ${s.rollout.canaryPercent}`);
    return held;
  }
  log("  2. the stable digest and share again: that ready Revision takes 100 %");
  const done = await apply(stack, { "model-serving:rollout.stableImage": canary.stableImage, "model-serving:rollout.canaryPercent": String(s.rollout.canaryPercent) }, log);
  return { ok: done.ok, output: `${held.output}\n${done.output}` };
}
