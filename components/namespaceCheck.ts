// Before `pulumi up` registers anything: a namespace the stack is to create must not exist already
// (unless this program made it), or the update would fail at the namespace after the repository,
// the image and the IAM attachment exist. Reads the cluster as the program's provider would.
import * as pulumi from "@pulumi/pulumi";
import { Settings, SettingsError } from "../core/config/settings";
import { madeByThisProgram } from "../core/manifests";
import { kubeConfigLikeProvider } from "./rolloutWatch";

/**
 * Throws a SettingsError naming `createNamespace` when the namespace exists and another hand made
 * it. Only during an update (a preview changes nothing), with the credentials the program's
 * provider uses: the named EKS cluster's, else the ambient kubeconfig's. A lab cluster does not
 * exist yet; a cluster that cannot be read skips the check.
 */
export async function refuseTakenNamespace(s: Settings): Promise<void> {
  if (!s.createNamespace || s.cluster.create || pulumi.runtime.isDryRun()) {
    return;
  }
  let existing: { metadata: { labels?: Record<string, string> } } | null;
  try {
    const { KubeApi, paths } = await import("../cluster/kubeApi");
    existing = await new KubeApi(await kubeConfigLikeProvider(s.cluster.name ? await namedClusterKubeconfig(s.cluster.name, s.cluster.region) : undefined)).getJsonOrNull(paths.namespace(s.namespace));
  } catch (e) {
    pulumi.log.debug(`namespace check skipped: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (existing && !madeByThisProgram(s, existing)) {
    throw new SettingsError([
      `model-serving:createNamespace: true, but namespace "${s.namespace}" already exists and this program did not create it; ` +
        "set createNamespace: false to adopt it (an adopted namespace is never deleted), or choose another namespace",
    ]);
  }
}

/** The kubeconfig eksClusterProvider gives the provider, from the same lookup. */
async function namedClusterKubeconfig(name: string, region?: string): Promise<string> {
  const aws = await import("@pulumi/aws");
  const { eksKubeconfig } = await import("./kubeconfig");
  const cluster = await aws.eks.getCluster({ name });
  return eksKubeconfig(name, cluster.endpoint, cluster.certificateAuthorities[0].data, region);
}
