import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface RegistryCredentials {
  /** Registry host, e.g. 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com */
  readonly server: pulumi.Output<string>;
  readonly username: pulumi.Output<string>;
  /** An ECR authorization token: valid for 12 hours, always a Pulumi secret. */
  readonly password: pulumi.Output<string>;
}

/** Docker credentials for an ECR registry (an AWS account's, in the provider's region). */
export function ecrCredentials(registryId: pulumi.Input<string>, parent: pulumi.Resource): RegistryCredentials {
  const token = aws.ecr.getAuthorizationTokenOutput({ registryId }, { parent });
  return {
    server: token.proxyEndpoint.apply((endpoint) => endpoint.replace(/^https?:\/\//, "")),
    username: token.userName,
    password: pulumi.secret(token.password),
  };
}
