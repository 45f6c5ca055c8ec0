// The settings a stack's config becomes: every key typed, every default filled in.
import { ScaleMetric } from "../autoscaling";
import { RolloutSettings } from "../canary";
import { AnalysisSettings } from "../analysis";
import { DeploymentMode } from "../deploymentMode";

export const PROJECT = "model-serving";

export interface ProbeSettings {
  readonly path: string;
  /** @default 0: every delay is paid by each pod start, including each scale from zero. */
  readonly initialDelaySeconds: number;
  /** 0 means Knative's aggressive readiness probing (Knative-mode readiness only). */
  readonly periodSeconds: number;
  /** Unset when periodSeconds is 0: Knative rejects it there. */
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface ClusterSettings {
  /** The EKS cluster to deploy to (lab mode: to create). @default "model-serving-<stack>" when create */
  readonly name?: string;
  readonly region?: string;
  /** Lab mode: create the cluster, its node group and KServe, and remove them on destroy. @default false */
  readonly create: boolean;
  /** Lab mode: Kubernetes version. @default "1.33" */
  readonly version: string;
  /** Lab mode: node instance type. @default "t3.large" */
  readonly instanceType: string;
  /** Lab mode: node group sizes. @default { min: 1, desired: 2, max: 3 } */
  readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
  /** Lab mode: the VPC and subnets; unset, the account's default VPC. */
  readonly vpcId?: string;
  readonly subnetIds: string[];
}

export interface Settings {
  readonly stack: string;
  /** InferenceService name; also the model name the server answers to. @default "california-housing" */
  readonly modelName: string;
  /** @default "model-serving" */
  readonly namespace: string;
  /** false adopts an existing namespace (a Kubeflow profile) and never deletes it. @default true */
  readonly createNamespace: boolean;
  /** The mode, legacy names normalised (Serverless is Knative, RawDeployment is Standard). @default "Knative" ("Standard" in lab mode) */
  readonly deploymentMode: DeploymentMode;
  /** The cluster's KServe release, as written; it decides the names the mode annotation uses. @default "0.20" */
  readonly kserveVersion: string;
  /** The one port: container port, every probe, the image build arg and (Standard mode) PORT. @default 8000 */
  readonly port: number;
  /** An existing image by digest; set, nothing is built and no repository is created. */
  readonly image?: string;
  readonly build: { readonly context: string; readonly dockerfile: string; readonly platform: string };
  readonly ecr: {
    readonly repositoryName: string;
    readonly forceDelete: boolean;
    readonly keepTaggedImages: number;
    readonly kmsKeyArn?: string;
  };
  readonly nodeRoleAccess: { readonly enabled: boolean; readonly roleNames: string[]; readonly nodeGroups: string[] };
  readonly pullSecret: { readonly enabled: boolean };
  readonly cluster: ClusterSettings;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  readonly replicas: { readonly min: number; readonly max: number };
  /** Canary rollouts: the stable digest, the canary's share (core/canary.ts) and what promote --analyze accepts (core/analysis.ts). */
  readonly rollout: RolloutSettings & { readonly analysis: AnalysisSettings };
  /** What the autoscaler scales on (`scaleMetric`, `scaleTarget`); unset: KServe's default for the mode. */
  readonly autoscaling: { readonly metric?: ScaleMetric; readonly target?: number };
  readonly probes: {
    readonly readiness: ProbeSettings;
    readonly liveness: ProbeSettings;
    readonly startup: ProbeSettings & { readonly enabled: boolean };
  };
  /** How long `pulumi up` waits for the InferenceService to be Ready. @default 600 */
  readonly readyTimeoutSeconds: number;
  /**
   * Standard mode: how long a stopping pod keeps serving (a preStop sleep) before the server gets
   * SIGTERM, while kube-proxy and load balancers stop sending it new connections. 0: none.
   */
  readonly shutdownDelaySeconds: number;
  /** Extra container environment. PORT and MODEL_NAME come from `port` and `modelName`. */
  readonly env: Readonly<Record<string, string>>;
}
