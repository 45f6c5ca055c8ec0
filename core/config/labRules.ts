// Lab mode's rules: what a created cluster and its KServe install need.
import { isStandard } from "../deploymentMode";
import { DEFAULT_KSERVE_VERSION, KSERVE_VERSION, parseKServeVersion, sameRelease } from "../kserveRelease";
import { Report } from "./problems";
import { RawConfig } from "./schema";
import { Settings } from "./types";

/** Lab mode (`cluster.create`): what the created cluster and its KServe install need. */
export function checkLabRules(s: Settings, raw: RawConfig, problem: Report): void {
  const c = s.cluster;
  const labOnly = c.vpcId !== undefined || c.subnetIds.length > 0;
  if (!c.create) {
    if (labOnly) {
      problem(c.vpcId ? "cluster.vpcId" : "cluster.subnetIds", c.vpcId ?? c.subnetIds, "is used only when cluster.create is true; remove it or set cluster.create");
    }
    return;
  }
  if (!isStandard(s)) {
    problem("deploymentMode", raw.deploymentMode, "cannot be used with cluster.create: the lab installs KServe without Knative; use Standard, or leave deploymentMode unset");
  }
  // The lab installs one release: the annotation's names must be that release's.
  const installed = parseKServeVersion(KSERVE_VERSION)!;
  const stated = parseKServeVersion(s.kserveVersion);
  if (stated && !sameRelease(stated, installed)) {
    problem("kserveVersion", s.kserveVersion, `conflicts with cluster.create: the lab installs KServe ${KSERVE_VERSION}; remove kserveVersion or set it to "${DEFAULT_KSERVE_VERSION}"`);
  }
  if (s.nodeRoleAccess.enabled) {
    problem("nodeRoleAccess.enabled", true, "is not needed with cluster.create: the lab's node role already carries AmazonEC2ContainerRegistryReadOnly; remove nodeRoleAccess");
  }
  if (!s.cluster.region) {
    problem("cluster.create", true, "needs aws:region (where the lab cluster is created); set aws:region");
  }
  if (c.nodes.min > c.nodes.desired || c.nodes.desired > c.nodes.max) {
    problem("cluster.nodes", c.nodes, "must satisfy min ≤ desired ≤ max");
  }
  if ((c.vpcId === undefined) !== (c.subnetIds.length === 0)) {
    problem(c.vpcId ? "cluster.subnetIds" : "cluster.vpcId", c.vpcId ? c.subnetIds : c.vpcId ?? null, "must be set together with " + (c.vpcId ? "cluster.vpcId" : "cluster.subnetIds") + ", or neither (the default VPC)");
  } else if (c.subnetIds.length === 1) {
    problem("cluster.subnetIds", c.subnetIds, "must list subnets in at least two availability zones (EKS requires two)");
  }
}
