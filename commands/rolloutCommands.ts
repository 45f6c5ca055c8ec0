// promote and rollback: change the stack's config, then run the program (the same component
// code as `pulumi up`) through the Automation API. Promote makes the canary's digest the stable
// one (`rollout.stableImage`); rollback points `image` back at the stable digest, which removes
// the canary and leaves the stable predictor as it is. Both refuse when no canary runs.
import type { Stack } from "@pulumi/pulumi/automation";
import type { Settings } from "../core/config/settings";
import { KubeApi, paths } from "../cluster/kubeApi";
import { InferenceService } from "../cluster/snapshot";
import { CONTAINER_NAME } from "../core/manifests";

/** The canary the cluster runs now: its image, and the stable one beside it. */
export interface RunningCanary {
  readonly image: string;
  readonly percent: number;
  readonly stableImage?: string;
}

const serverImage = (containers?: { name?: string; image?: string }[]) => containers?.find((c) => c.name === CONTAINER_NAME || !c.name)?.image;

/** Refuses a stack that makes no canaries: nothing to promote or roll back. */
export function requireCanaries(s: Settings): void {
  if (s.rollout.canaryPercent === undefined) {
    throw new Error("nothing to do: model-serving:rollout.canaryPercent is unset, so this stack makes no canaries");
  }
}

/** Reads the canary from the cluster (Standard: spec.canary; Knative: canaryTrafficPercent), or says why there is none. */
export async function runningCanary(api: KubeApi, s: Settings): Promise<RunningCanary> {
  requireCanaries(s);
  const service = await api.getJsonOrNull<InferenceService>(paths.inferenceService(s.namespace, s.modelName));
  if (!service) {
    throw new Error(`nothing to do: no InferenceService ${s.namespace}/${s.modelName}`);
  }
  const entry = service.spec?.canary?.[0];
  const knativePercent = service.spec?.predictor?.canaryTrafficPercent;
  const image = entry ? serverImage(entry.predictor?.containers) : knativePercent !== undefined ? serverImage(service.spec?.predictor?.containers) : undefined;
  if (!image) {
    throw new Error(`nothing to do: ${s.namespace}/${s.modelName} runs no canary (its stable image is ${serverImage(service.spec?.predictor?.containers) ?? "unknown"})`);
  }
  return { image, percent: entry?.trafficPercent ?? knativePercent ?? 0, stableImage: entry ? serverImage(service.spec?.predictor?.containers) : s.rollout.stableImage };
}

export interface CommandResult {
  readonly ok: boolean;
  readonly output: string;
}

async function apply(stack: Stack, key: string, value: string, log: (line: string) => void): Promise<CommandResult> {
  await stack.setConfig(key, { value }, true);
  let output = "";
  try {
    await stack.up({ onOutput: (text) => ((output += text), log(text.replace(/\n$/, ""))), color: "never" });
    return { ok: true, output };
  } catch (e) {
    return { ok: false, output: `${output}\n${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The canary becomes the stable predictor; in Standard mode its Deployment and pods stay (the predictor takes its name). */
export async function promote(stack: Stack, s: Settings, canary: RunningCanary, log: (line: string) => void): Promise<CommandResult> {
  log(`promote: model-serving:rollout.stableImage ${s.rollout.stableImage} → ${canary.image}`);
  log(`  the canary (${canary.percent} %) becomes the stable predictor${s.deploymentMode === "Standard" ? " and keeps its pods" : ""}; the old stable predictor is removed`);
  return apply(stack, "model-serving:rollout.stableImage", canary.image, log);
}

/** The canary is removed; the stable predictor is left as it is. */
export async function rollback(stack: Stack, s: Settings, canary: RunningCanary, log: (line: string) => void): Promise<CommandResult> {
  const stable = s.rollout.stableImage!;
  log(`rollback: model-serving:image ${s.image ?? "(built)"} → ${stable}`);
  log(`  the canary ${canary.image} (${canary.percent} %) is removed; the stable predictor is untouched`);
  if (s.image === undefined) {
    log("  the stack now deploys that digest instead of building; unset model-serving:image to build and canary again");
  }
  return apply(stack, "model-serving:image", stable, log);
}
