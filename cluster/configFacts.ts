// The settings a diagnosis quotes that the deployed objects do not show.
import type { Settings } from "../core/config/settings";
import { ConfigFacts } from "./diagnosis";
import { Target } from "./collect";

export function configFacts(s: Settings): ConfigFacts {
  return {
    stack: s.stack,
    buildPlatform: s.build.platform,
    image: s.image,
    nodeRoleAccess: s.nodeRoleAccess,
    pullSecretEnabled: s.pullSecret.enabled,
    env: s.env,
  };
}

export function targetOf(s: Settings): Target {
  return { name: s.modelName, namespace: s.namespace };
}
