// During `pulumi up` (never in preview), waits until the InferenceService's applied spec serves,
// reading the cluster with the credentials its Kubernetes provider uses, and fails the update
// with the diagnosis when it will not. The provider's own `pulumi.com/waitFor: condition=Ready`
// cannot see a failed update in Standard mode (Ready stays True on the old pods), and on a
// first deploy it waits the whole timeout for what the pods' events say at once.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type { KubeConfig } from "@kubernetes/client-node";
import { configFacts } from "../cluster/configFacts";
import { Settings } from "../core/config/settings";

export interface RolloutWatchArgs {
  readonly settings: Settings;
  /** The InferenceService generation the update applied. */
  readonly generation?: number;
  /** The image the update applied to the stable predictor. */
  readonly image: string;
  /** The canary's image, when the update has one. */
  readonly canaryImage?: string;
  /** The provider's kubeconfig (contents); unset: the default provider's (see kubeConfigLikeProvider). */
  readonly kubeconfig?: string;
  /** Where progress lines go. */
  readonly resource: pulumi.Resource;
}

/**
 * The kubeconfig the Kubernetes provider itself would use: the explicit one, else
 * `kubernetes:kubeconfig` (a path or the contents), else KUBECONFIG or ~/.kube/config; and
 * `kubernetes:context` when set.
 */
export async function kubeConfigLikeProvider(explicit?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const { loadKubeConfig } = await import("../cluster/kubeApi");
  const config = new pulumi.Config("kubernetes");
  const given = explicit ?? config.get("kubeconfig");
  let kc: KubeConfig;
  if (given === undefined) {
    kc = loadKubeConfig();
  } else {
    kc = new KubeConfig();
    if (explicit === undefined && fs.existsSync(given)) kc.loadFromFile(given);
    else kc.loadFromString(given);
  }
  const context = explicit === undefined ? config.get("context") : undefined;
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** Resolves with what serves (revision and URL); rejects with the diagnosis. */
export async function watchRolloutForUpdate(args: RolloutWatchArgs): Promise<{ revision: string; url: string }> {
  const { KubeApi } = await import("../cluster/kubeApi");
  const { watchRollout, rolloutFailureText } = await import("../cluster/watchRollout");
  const s = args.settings;
  const api = new KubeApi(await kubeConfigLikeProvider(args.kubeconfig));
  const result = await watchRollout(
    api,
    { name: s.modelName, namespace: s.namespace, mode: s.deploymentMode, generation: args.generation, image: args.image, canaryImage: args.canaryImage },
    {
      timeoutMs: s.readyTimeoutSeconds * 1000,
      // A look a second: `pulumi up` returns within a second of the pods serving.
      intervalMs: 1000,
      facts: configFacts(s),
      log: (line) => pulumi.log.info(`rollout ${line}`, args.resource, undefined, true),
    },
  );
  if (!result.ok) {
    // Logged whole here, where it reads cleanly; the error that fails the update travels through
    // the outputs, and the SDK prefixes it with each property it was serialized through.
    pulumi.log.error(rolloutFailureText(result), args.resource);
    throw new pulumi.ResourceError(`the rollout failed (${result.findings.map((f) => f.cause).join(", ") || "no known cause"}): see the error above`, args.resource, true);
  }
  pulumi.log.info(`serving: ${result.summary}`, args.resource);
  return { revision: result.revision ?? "", url: result.service?.status?.url ?? "" };
}
