// The program: settings → ModelServing → stack outputs. index.ts runs it for `pulumi up`; the
// end-to-end test runs the same function as an Automation API inline program.
import * as pulumi from "@pulumi/pulumi";
import { ModelServing } from "./modelServing";
import { Settings } from "../core/config/settings";
import { readSettings } from "./stackConfig";

export interface ProgramOutputs {
  readonly imageRef: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly inferenceServiceName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly canaryImageRef: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
}

export function modelServingProgram(settings: Settings = readSettings()): ProgramOutputs {
  const serving = new ModelServing("model-serving", settings);
  return {
    imageRef: serving.imageRef,
    repositoryUrl: serving.repositoryUrl,
    namespace: serving.namespace,
    inferenceServiceName: serving.inferenceServiceName,
    url: serving.url,
    canaryImageRef: serving.canaryImageRef,
    clusterName: serving.clusterName,
  };
}
