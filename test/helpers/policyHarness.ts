// The harness the policy tests share: every policy of the pack run on one resource as the engine
// would (validationArgs, evaluate), and the manifests they run on.
import * as fs from "fs";
import * as path from "path";
import { PolicyResourceOptions, ResourceValidationArgs } from "@pulumi/policy";
import * as YAML from "yaml";
import { Settings } from "../../core/config/settings";
import { stackSettings } from "../../core/config/stackFile";
import { inferenceServiceManifest } from "../../core/manifests";
import { INFERENCE_SERVICE_TYPE, policies } from "../../policy/policies";
import { REGISTRY } from "./mocks";

export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(__dirname, "../fixtures");
/** What ModelImage deploys: the pushed repository, by digest. */
export const DIGEST_IMAGE = `${REGISTRY}/model-serving/dev/california-housing@sha256:${"4e".repeat(32)}`;

export interface Violation {
  policy: string;
  level: string;
  message: string;
}

/** The URN the program gives its InferenceService: a child of the ModelServing and InferenceService components. */
export const PROGRAM_ISVC_URN = `urn:pulumi:dev::model-serving::model-serving:index:ModelServing$model-serving:kserve:InferenceService$${INFERENCE_SERVICE_TYPE}::model-serving`;

export function validationArgs(type: string, props: Record<string, any>, opts: Partial<PolicyResourceOptions>, config: object, urn?: string): ResourceValidationArgs {
  return {
    type,
    props,
    urn: urn ?? `urn:pulumi:dev::model-serving::${type}::resource`,
    name: "resource",
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      ...opts,
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

/** Every policy of the pack run on one resource, as the engine would, with the violations collected. */
export function evaluate(type: string, props: Record<string, any>, opts: Partial<PolicyResourceOptions> = {}, config: object = {}, urn?: string): Violation[] {
  const found: Violation[] = [];
  for (const policy of policies) {
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const validate of validations) {
      void validate(validationArgs(type, props, opts, config, urn), (message) => {
        found.push({ policy: policy.name, level: policy.enforcementLevel ?? "advisory", message });
      });
    }
  }
  return found;
}

export const names = (violations: Violation[]) => [...new Set(violations.map((v) => v.policy))].sort();
export const mandatory = (violations: Violation[]) => violations.filter((v) => v.level === "mandatory");
export const of = (violations: Violation[], policy: string) => violations.filter((v) => v.policy === policy).map((v) => v.message);

export function isvc(settings: Settings, image = DIGEST_IMAGE): any {
  return structuredClone(inferenceServiceManifest(settings, image));
}

export function devSettings(): Settings {
  return stackSettings("dev", ROOT);
}

/** Each mode's two names: the rules must treat them alike. */
export const KNATIVE_NAMES = ["Knative", "Serverless"];
export const STANDARD_NAMES = ["Standard", "RawDeployment"];

/** The manifest with its deployment-mode annotation set to `name`, or removed. */
export function withMode(manifest: any, name: string | undefined): any {
  if (name === undefined) {
    delete manifest.metadata.annotations["serving.kserve.io/deploymentMode"];
  } else {
    manifest.metadata.annotations["serving.kserve.io/deploymentMode"] = name;
  }
  return manifest;
}

/** The policies on an InferenceService registered as the program registers it (under its components). */
export function checkIsvc(manifest: any, config: object = {}, urn = PROGRAM_ISVC_URN): Violation[] {
  return evaluate(INFERENCE_SERVICE_TYPE, manifest, {}, config, urn);
}

/** The policies on an InferenceService of another program (no rollout-watching component above it). */
export function checkForeignIsvc(manifest: any): Violation[] {
  return evaluate(INFERENCE_SERVICE_TYPE, manifest);
}

export function readFixture(name: string): any {
  return YAML.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}
