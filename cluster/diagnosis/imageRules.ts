// Image causes: the controller could not resolve a tag, the nodes could not authenticate to the
// registry, or the reference does not exist.
import { Snapshot } from "../snapshot";
import { configKey, currentEvents, imageSetting, quote } from "./facts";
import { ConfigFacts, Finding } from "./types";

const TAG_RESOLUTION = /failed to resolve image to digest|Unable to fetch image/i;
const PULL_AUTH = /\b40[13]\b|unauthorized|forbidden|no basic auth credentials|authorization failed|access denied|denied:/i;
const NOT_FOUND = /not found|manifest unknown|name unknown|NotFound|InvalidImageName|invalid reference format/i;

/** Knative resolves tags to digests with the controller's credentials, which ECR refuses. */
export function tagResolution(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const conditions = snapshot.inferenceService?.status?.conditions ?? [];
  const messages = [
    ...conditions.filter((c) => c.status !== "True" && TAG_RESOLUTION.test(c.message ?? "")).map((c) => `condition ${c.type}: ${quote(c.message!)}`),
    ...currentEvents(snapshot).filter((e) => TAG_RESOLUTION.test(e.message ?? "")).map((e) => `event ${e.reason} on ${e.involvedObject.kind}/${e.involvedObject.name}: ${quote(e.message!)}`),
  ];
  if (messages.length === 0) {
    return [];
  }
  return [
    {
      cause: "tag-resolution",
      evidence: messages[0],
      fix: `deploy by digest: ${configKey("image")} is ${imageSetting(snapshot, facts)}; set it to \`repository@sha256:…\`, or unset it so the program builds, pushes and deploys by digest`,
    },
  ];
}

/** Pull failures, from the containers' waiting messages and the kubelet's events. */
function pullMessages(snapshot: Snapshot): string[] {
  const fromStatus = snapshot.pods.flatMap((p) =>
    (p.status?.containerStatuses ?? [])
      .filter((s) => /ErrImagePull|ImagePullBackOff|InvalidImageName/.test(s.state?.waiting?.reason ?? "") && s.state?.waiting?.message)
      .map((s) => `${p.metadata.name} ${s.name} waiting ${s.state!.waiting!.reason}: ${quote(s.state!.waiting!.message!)}`),
  );
  const fromEvents = currentEvents(snapshot)
    .filter((e) => e.reason === "Failed" && /pull|image/i.test(e.message ?? ""))
    .map((e) => `event Failed on Pod/${e.involvedObject.name}: ${quote(e.message!)}`);
  // The kubelet's "Failed to pull" carries the registry's answer; "Back-off pulling image" does not.
  return [...fromEvents, ...fromStatus].filter((m) => !/Back-off pulling image/.test(m));
}

export function pullAuth(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const evidence = pullMessages(snapshot).find((m) => PULL_AUTH.test(m));
  if (!evidence) {
    return [];
  }
  const access = facts.nodeRoleAccess;
  const nodeRole = !access
    ? `${configKey("nodeRoleAccess.enabled")} with \`.roleNames\` or \`.nodeGroups\` naming the nodes' role or group`
    : access.enabled
      ? `${configKey("nodeRoleAccess.enabled")} is true with roleNames ${JSON.stringify(access.roleNames)} and nodeGroups ${JSON.stringify(access.nodeGroups)}: check they name the nodes' actual role or group`
      : `${configKey("nodeRoleAccess.enabled")} is false: set it true with \`.roleNames\` or \`.nodeGroups\``;
  const secret = facts.pullSecretEnabled !== undefined ? `${configKey("pullSecret.enabled")} is ${facts.pullSecretEnabled}` : configKey("pullSecret.enabled");
  return [
    {
      cause: "image-pull-auth",
      evidence,
      fix: `the nodes may not read the registry; their role needs AmazonEC2ContainerRegistryReadOnly: ${nodeRole}. Or use a pull secret: ${secret} (its token lasts 12 hours: run \`pulumi up\` again if it went stale)`,
    },
  ];
}

export function imageNotFound(snapshot: Snapshot, facts: ConfigFacts): Finding[] {
  const evidence = pullMessages(snapshot).find((m) => NOT_FOUND.test(m) && !PULL_AUTH.test(m));
  if (!evidence) {
    return [];
  }
  return [
    {
      cause: "image-not-found",
      evidence,
      fix: `the image reference does not exist: ${configKey("image")} is ${imageSetting(snapshot, facts)}; point it at a pushed \`repository@sha256:…\` (check the account and region), or unset it and run \`pulumi up\` to build and push it again (a lifecycle policy or a forced delete may have removed it)`,
    },
  ];
}
