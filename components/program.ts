// The program: settings → ModelServing → stack outputs. index.ts hands it to `pulumi up`; the
// end-to-end test runs the same function as an Automation API inline program.
import * as pulumi from "@pulumi/pulumi";
import { ModelServing } from "./modelServing";
import { Settings, SettingsError } from "../core/config/settings";
import { refuseTakenNamespace } from "./namespaceCheck";
import { readSettings } from "./stackConfig";

export interface ProgramOutputs {
  readonly imageRef: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly inferenceServiceName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly canaryImageRef: pulumi.Output<string>;
  readonly stableImageRef: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
}

/**
 * Reads the settings (unless given), checks what can only be checked against the cluster, then
 * registers everything. A bad config fails before any resource is registered, its message shown
 * without a stack trace.
 */
export async function modelServingProgram(given?: Settings): Promise<ProgramOutputs> {
  let settings: Settings;
  try {
    settings = given ?? readSettings();
    await refuseTakenNamespace(settings);
  } catch (e) {
    throw e instanceof SettingsError ? new pulumi.RunError(e.message) : e;
  }
  const serving = new ModelServing("model-serving", settings);
  return {
    imageRef: serving.imageRef,
    repositoryUrl: serving.repositoryUrl,
    namespace: serving.namespace,
    inferenceServiceName: serving.inferenceServiceName,
    url: serving.url,
    canaryImageRef: serving.canaryImageRef,
    stableImageRef: serving.stableImageRef,
    clusterName: serving.clusterName,
  };
}
