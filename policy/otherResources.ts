// Beside the InferenceService: the ECR repository and the registry pull secret.
import { PULL_SECRET_TYPE } from "../core/manifests";
import { PULL_SECRET_KEYS } from "./view";

export function checkEcrRepository(props: Record<string, any>): string[] {
  const problems: string[] = [];
  if (props.imageScanningConfiguration?.scanOnPush !== true) {
    problems.push("imageScanningConfiguration.scanOnPush is not true: set imageScanningConfiguration: { scanOnPush: true } so every pushed image is scanned.");
  }
  if (props.imageTagMutability !== "IMMUTABLE") {
    problems.push(
      `imageTagMutability is ${JSON.stringify(props.imageTagMutability ?? "MUTABLE (the default)")}: set "IMMUTABLE" so a tag always names the image that was tested.`,
    );
  }
  return problems;
}

function isPullSecret(props: Record<string, any>): boolean {
  const keys = [...Object.keys(props.data ?? {}), ...Object.keys(props.stringData ?? {})];
  return props.type === PULL_SECRET_TYPE || props.type === "kubernetes.io/dockercfg" || keys.some((k) => PULL_SECRET_KEYS.includes(k));
}

/**
 * Whether the pull secret's data is a Pulumi secret. A policy cannot see that in `props`: the
 * engine sends secrets wrapped, but @pulumi/policy unwraps them to plaintext, with no marker,
 * before `validateResource` runs (deserializeProperties(..., false) in its server.js; the
 * CrossGuard FAQ; pulumi/pulumi-policy#241, still open). What a policy does see is the resource
 * option `additionalSecretOutputs`, which the engine forwards in `args.opts`. The generated
 * Kubernetes Secret class sets ["data", "stringData"] in every SDK language, YAML and Helm
 * included (pulumi-kubernetes#1194, #1577; pulumi-yaml#526), and this program's ModelNamespace
 * repeats it; those fields are then encrypted in the state. A Secret registered without it (a
 * hand-rolled `pulumi.CustomResource("kubernetes:core/v1:Secret", ...)`, an old SDK) keeps the
 * registry credentials in plaintext in the state, which is what this rule refuses.
 */
export function checkPullSecret(props: Record<string, any>, secretOutputs: string[]): string[] {
  if (!isPullSecret(props)) {
    return [];
  }
  const problems: string[] = [];
  if (props.type !== PULL_SECRET_TYPE) {
    problems.push(`type is ${JSON.stringify(props.type ?? "Opaque")}: a pull secret must be type "${PULL_SECRET_TYPE}" with a ".dockerconfigjson" key, or the kubelet ignores it.`);
  }
  const field = ["data", "stringData"].find((f) => props[f]?.[".dockerconfigjson"] !== undefined);
  if (!field) {
    problems.push('data[".dockerconfigjson"] is missing: put the registry credentials under the ".dockerconfigjson" key of data (base64) or stringData.');
  } else if (!secretOutputs.includes(field)) {
    problems.push(
      `${field} is not a Pulumi secret (the resource's additionalSecretOutputs does not name "${field}"): create the Secret with @pulumi/kubernetes ` +
        `(k8s.core.v1.Secret marks data and stringData secret) or add additionalSecretOutputs: ["${field}"], so the registry credentials are encrypted in the state.`,
    );
  }
  return problems;
}
