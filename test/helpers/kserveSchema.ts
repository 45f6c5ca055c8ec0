// Validates objects against the real KServe InferenceService CRD schema (../shared/kserve/),
// with unknown fields rejected the way the API server prunes or refuses them.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";

export const SHARED_DIR = path.resolve(__dirname, "../../../shared");
export const CRD_FILE = path.join(SHARED_DIR, "kserve", "serving.kserve.io_inferenceservices.yaml");

/** Why the CRD is unavailable, or undefined when it is there. CI must never skip. */
export function crdMissingReason(): string | undefined {
  if (fs.existsSync(CRD_FILE)) {
    return undefined;
  }
  if (process.env.CI) {
    throw new Error(`${CRD_FILE} is missing; CI must validate against the real KServe CRD`);
  }
  return `skipped: ${CRD_FILE} not found (a fresh clone without ../shared)`;
}

/** Marks every object schema that lists its properties as closed, unless Kubernetes keeps unknown fields there. */
function closeObjects(schema: Record<string, unknown>): void {
  if (schema.properties && schema["x-kubernetes-preserve-unknown-fields"] !== true && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) {
    if (value && typeof value === "object") {
      closeObjects(value as Record<string, unknown>);
    }
  }
}

let cached: ValidateFunction | undefined;

export function inferenceServiceValidator(): ValidateFunction {
  if (cached) {
    return cached;
  }
  const crd = YAML.parse(fs.readFileSync(CRD_FILE, "utf8"));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1beta1");
  const schema = version.schema.openAPIV3Schema;
  closeObjects(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const format of ["int32", "int64", "byte", "date-time", "double", "float"]) {
    ajv.addFormat(format, true);
  }
  cached = ajv.compile(schema);
  return cached;
}

/** The schema errors of an object, as readable lines (empty when it validates). */
export function inferenceServiceErrors(object: unknown): string[] {
  const validate = inferenceServiceValidator();
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
