// The shape of a stack's `model-serving:*` config: which keys exist, their types and their
// per-value rules. Defaults live in defaults.ts, the rules that relate keys in rules.ts.
import { z } from "zod";
import { DEPLOYMENT_MODE_NAMES } from "../deploymentMode";
import { DIGEST_REFERENCE, ECR_REPOSITORY_NAME } from "../imageReference";
import { KSERVE_VERSION_PATTERN } from "../kserveRelease";
import { SCALE_METRICS } from "../autoscaling";
import { MIN_SUCCESSES_FOR_P99 } from "../analysis";
import { parseQuantity, suggestMemoryQuantity } from "../quantity";

// DNS-1035 label: Kubernetes Service names, which KServe derives from the model name.
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// DNS-1123 label: namespace names.
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLATFORM = /^linux\/(amd64|arm64)$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;

// The engine hands every plain value over as a string (`pulumi config set port 8000` stores
// "8000"), and a stack file may quote them too: numbers and booleans are read from either form.
const fromNumberText = (value: unknown) => (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value);
const fromBooleanText = (value: unknown) => (value === "true" ? true : value === "false" ? false : value);

function integer(min: number, max: number) {
  const range = `a whole number from ${min} to ${max}`;
  return z.preprocess(
    fromNumberText,
    z
      .number({ error: `must be ${range}` })
      .int({ error: `must be ${range}` })
      .min(min, { error: `must be ${range}` })
      .max(max, { error: `must be ${range}` }),
  );
}

/** A percentage, fractions allowed (an error rate of 0.5 %). */
const percent = z.preprocess(fromNumberText, z.number({ error: "must be a number from 0 to 100" }).min(0, { error: "must be a number from 0 to 100" }).max(100, { error: "must be a number from 0 to 100" }));

/** Fewer requests than this to each side cannot give a p99 (core/analysis.ts). */
const MIN_ANALYSIS_REQUESTS = MIN_SUCCESSES_FOR_P99;

const flag = z.preprocess(fromBooleanText, z.boolean({ error: "must be true or false" }));

function label(pattern: RegExp, rule: string) {
  return z
    .string({ error: "must be a string" })
    .max(63, { error: "must be at most 63 characters (a Kubernetes name)" })
    .regex(pattern, { error: `is not a valid name: ${rule}` });
}

function quantity(kind: "cpu" | "memory") {
  // Kubernetes accepts plain numbers as quantities too ("cpu: 1").
  return z.union([z.string(), z.number()], { error: "must be a Kubernetes quantity" }).superRefine((value, ctx) => {
    const text = String(value);
    const suggestion = kind === "memory" ? suggestMemoryQuantity(text) : undefined;
    if (parseQuantity(text) === undefined || (parseQuantity(text) ?? 0) <= 0) {
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ` (for example ${kind === "cpu" ? '"500m" or "1"' : '"512Mi" or "1Gi"'})`;
      ctx.addIssue({ code: "custom", message: `is not a positive Kubernetes quantity${hint}` });
    } else if (kind === "memory" && /m$/.test(text)) {
      ctx.addIssue({ code: "custom", message: `means millibytes ("m" is milli; did you mean "${suggestion}"?)` });
    }
  });
}

const resourcePair = (kind: "cpu" | "memory") => quantity(kind).optional();
const resourceSet = z.strictObject({ cpu: resourcePair("cpu"), memory: resourcePair("memory") });

// An IAM role name (not its ARN: the policy attachment takes the name).
const roleName = z
  .string({ error: "must be an IAM role name" })
  .superRefine((value, ctx) => {
    const arn = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(value);
    if (arn) {
      ctx.addIssue({ code: "custom", message: `is a role ARN; give the role's name, "${arn[1]}"` });
    } else if (!/^[\w+=,.@-]{1,64}$/.test(value)) {
      ctx.addIssue({ code: "custom", message: "is not an IAM role name (letters, digits and +=,.@_-, at most 64 characters)" });
    }
  });

const probe = {
  path: z.string({ error: "must be a string" }).regex(/^\/\S*$/, { error: 'must be an HTTP path starting with "/"' }).optional(),
  initialDelaySeconds: integer(0, 3600).optional(),
  periodSeconds: integer(0, 3600).optional(),
  timeoutSeconds: integer(1, 3600).optional(),
  failureThreshold: integer(1, 1000).optional(),
};

export const configSchema = z.strictObject({
  modelName: label(DNS_1035_LABEL, "lower-case letters, digits and '-', starting with a letter and ending with a letter or digit").optional(),
  namespace: label(DNS_1123_LABEL, "lower-case letters, digits and '-', starting and ending with a letter or digit").optional(),
  createNamespace: flag.optional(),
  deploymentMode: z.enum(DEPLOYMENT_MODE_NAMES, { error: "must be Knative or Standard (the legacy names Serverless and RawDeployment mean the same modes)" }).optional(),
  kserveVersion: z
    // Unquoted in a stack file, 0.20 is the number 0.2: only a string says which release.
    .string({ error: 'must be a quoted string such as "0.20" (unquoted YAML reads 0.20 as the number 0.2)' })
    .regex(KSERVE_VERSION_PATTERN, { error: 'must be the cluster\'s KServe release as MAJOR.MINOR or vMAJOR.MINOR[.PATCH], e.g. "0.20" or "v0.13.1"' })
    .optional(),
  port: integer(1024, 65535).optional(),
  image: z
    .string({ error: "must be a string" })
    .regex(DIGEST_REFERENCE, { error: "must be pinned by digest, repository@sha256:<64 hex digits> (Knative cannot resolve ECR tags; `docker inspect --format '{{index .RepoDigests 0}}' IMAGE` prints it)" })
    .optional(),
  build: z
    .strictObject({
      context: z.string({ error: "must be a path" }).min(1, { error: "must be a path" }).optional(),
      dockerfile: z.string({ error: "must be a path" }).min(1, { error: "must be a path" }).optional(),
      platform: z.string({ error: "must be a string" }).regex(PLATFORM, { error: 'must be "linux/amd64" or "linux/arm64", the CPU of the cluster\'s nodes' }).optional(),
    })
    .optional(),
  ecr: z
    .strictObject({
      repositoryName: z.string({ error: "must be a string" }).min(2).max(256).regex(ECR_REPOSITORY_NAME, { error: "is not a valid ECR repository name (lower-case letters, digits, '.', '_', '-' and '/')" }).optional(),
      forceDelete: flag.optional(),
      keepTaggedImages: integer(1, 1000).optional(),
      kmsKeyArn: z.string({ error: "must be a string" }).regex(/^arn:aws[\w-]*:kms:/, { error: "must be a KMS key ARN (arn:aws:kms:...)" }).optional(),
    })
    .optional(),
  nodeRoleAccess: z
    .strictObject({
      enabled: flag.optional(),
      roleNames: z.array(roleName, { error: "must be a list of IAM role names" }).optional(),
      nodeGroups: z.array(z.string().min(1), { error: "must be a list of EKS node group names" }).optional(),
    })
    .optional(),
  pullSecret: z.strictObject({ enabled: flag.optional() }).optional(),
  cluster: z
    .strictObject({
      name: z.string({ error: "must be a string" }).max(100).regex(EKS_CLUSTER_NAME, { error: "is not an EKS cluster name (letters, digits, '-' and '_', starting with a letter or digit)" }).optional(),
      create: flag.optional(),
      version: z.string({ error: 'must be a string such as "1.33"' }).regex(/^1\.\d{2}$/, { error: 'must be a Kubernetes minor version such as "1.33"' }).optional(),
      instanceType: z.string({ error: "must be a string" }).regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as "t3.large"' }).optional(),
      nodes: z.strictObject({ min: integer(1, 100).optional(), desired: integer(1, 100).optional(), max: integer(1, 100).optional() }).optional(),
      vpcId: z.string({ error: "must be a string" }).regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC id such as "vpc-0abc123"' }).optional(),
      subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet id such as "subnet-0abc123"' }), { error: "must be a list of subnet ids" }).optional(),
    })
    .optional(),
  resources: z.strictObject({ requests: resourceSet.optional(), limits: resourceSet.optional() }).optional(),
  replicas: z.strictObject({ min: integer(0, 1000).optional(), max: integer(1, 1000).optional() }).optional(),
  rollout: z
    .strictObject({
      canaryPercent: integer(0, 100).optional(),
      stableImage: z
        .string({ error: "must be a string" })
        .regex(DIGEST_REFERENCE, { error: "must be pinned by digest, repository@sha256:<64 hex digits> (the stableImageRef stack output of the deploy that serves now)" })
        .optional(),
      analysis: z
        .strictObject({
          requests: integer(MIN_ANALYSIS_REQUESTS, 10000).optional(),
          maxErrorRatePercent: percent.optional(),
          maxP99RatioPercent: integer(100, 10000).optional(),
          p99ToleranceMs: integer(0, 60000).optional(),
        })
        .optional(),
    })
    .optional(),
  autoscaling: z
    .strictObject({
      metric: z.enum(SCALE_METRICS, { error: `must be one of ${SCALE_METRICS.join(", ")}` }).optional(),
      target: integer(1, 100000).optional(),
    })
    .optional(),
  probes: z
    .strictObject({
      readiness: z.strictObject(probe).optional(),
      liveness: z.strictObject(probe).optional(),
      startup: z.strictObject({ ...probe, enabled: flag.optional() }).optional(),
    })
    .optional(),
  readyTimeoutSeconds: integer(1, 86400).optional(),
  shutdownDelaySeconds: integer(0, 300).optional(),
  env: z
    .record(z.string().regex(ENV_NAME, { error: "is not an environment variable name (letters, digits, '_')" }), z.string({ error: "must be a string" }))
    .optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
