// The running Pulumi stack's settings: the engine's config, read as the stack file is.
import * as pulumi from "@pulumi/pulumi";
import { decodeConfigValue, parseSettings, Settings } from "../core/config/settings";

/** Settings of the running Pulumi stack. */
export function readSettings(): Settings {
  const config = Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).map(([name, value]) => [name, decodeConfigValue(value)]));
  return parseSettings(config, { stack: pulumi.getStack() });
}
