import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dockerConfigJson, namespaceManifest, pullSecretManifest } from "../core/manifests";
import { RegistryCredentials } from "./ecrCredentials";
import { Settings } from "../core/config/settings";

export const PULL_SECRET_WARNING =
  "The ECR pull secret holds an authorization token that expires 12 hours after this update; " +
  "only the next `pulumi up` renews it. Prefer node-role access (model-serving:nodeRoleAccess) for long-lived stacks.";

export interface ModelNamespaceArgs {
  readonly settings: Settings;
  /** Registry credentials for the pull secret; needed when settings.pullSecret.enabled. */
  readonly registry?: RegistryCredentials;
}

/**
 * The model's namespace, created, or adopted when `createNamespace` is false (a Kubeflow
 * profile namespace belongs to Kubeflow: it is read, never deleted), with an optional ECR
 * pull secret.
 */
export class ModelNamespace extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  public readonly pullSecretName?: pulumi.Output<string>;

  constructor(name: string, args: ModelNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("model-serving:k8s:ModelNamespace", name, {}, opts);
    const s = args.settings;
    if (s.pullSecret.enabled && !args.registry) {
      throw new Error("ModelNamespace: pullSecret.enabled needs registry credentials");
    }
    const namespace = s.createNamespace
      ? new k8s.core.v1.Namespace(name, namespaceManifest(s) as k8s.core.v1.NamespaceArgs, { parent: this })
      : k8s.core.v1.Namespace.get(name, s.namespace, { parent: this });
    this.name = namespace.metadata.name;

    if (s.pullSecret.enabled && args.registry) {
      const { server, username, password } = args.registry;
      const dockerConfig = pulumi.secret(pulumi.all([server, username, password]).apply(([a, b, c]) => dockerConfigJson(a, b, c)));
      const secret = new k8s.core.v1.Secret(`${name}-ecr-pull`, pullSecretManifest(s, dockerConfig) as k8s.core.v1.SecretArgs, {
        parent: this,
        dependsOn: [namespace],
        additionalSecretOutputs: ["data", "stringData"],
      });
      this.pullSecretName = secret.metadata.name;
      pulumi.log.warn(PULL_SECRET_WARNING, this);
    }
    this.registerOutputs({ name: this.name, pullSecretName: this.pullSecretName });
  }
}
