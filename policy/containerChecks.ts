// The containers themselves, the canaries' too: resources, images by digest, non-root, enough memory.
import { ResourceValidationArgs } from "@pulumi/policy";
import { DIGEST_REFERENCE } from "../core/imageReference";
import { parseQuantity } from "../core/quantity";
import { MIN_MEMORY_LIMIT } from "../core/serverNeeds";
import { InferenceServiceView } from "./view";

export function checkResources(isvc: InferenceServiceView): string[] {
  const problems: string[] = [];
  for (const c of isvc.allContainers) {
    const resources = c.container.resources ?? {};
    for (const name of ["cpu", "memory"]) {
      const request = resources.requests?.[name];
      const limit = resources.limits?.[name];
      for (const [kind, value] of [["requests", request], ["limits", limit]]) {
        const where = `${c.path}.resources.${kind}.${name}`;
        if (value === undefined) {
          problems.push(`${where} is missing: set it (e.g. ${name === "cpu" ? '"500m"' : '"512Mi"'}) so the scheduler reserves room and the container is bounded.`);
        } else if (parseQuantity(String(value)) === undefined) {
          problems.push(`${where} ${JSON.stringify(value)} is not a Kubernetes quantity: write e.g. ${name === "cpu" ? '"500m"' : '"512Mi"'}.`);
        }
      }
      const requested = request === undefined ? undefined : parseQuantity(String(request));
      const limited = limit === undefined ? undefined : parseQuantity(String(limit));
      if (requested !== undefined && limited !== undefined && limited < requested) {
        problems.push(`${c.path}.resources.limits.${name} (${limit}) is below the request (${request}): raise the limit to at least the request.`);
      }
    }
  }
  return problems;
}

export function checkImageDigest(isvc: InferenceServiceView): string[] {
  const fix = "deploy repository@sha256:<digest> (Knative resolves tags with its own credentials, which ECR refuses; a digest is also the exact image tested)";
  return isvc.allContainers.flatMap((c) => {
    const image = c.container.image;
    if (typeof image !== "string" || image === "") {
      return [`${c.path}.image is missing: ${fix}.`];
    }
    if (DIGEST_REFERENCE.test(image)) {
      return [];
    }
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    const what = tag === undefined ? "has no tag or digest (so it means :latest)" : tag === "latest" ? "uses the tag latest" : `uses the tag ${tag}`;
    return [`${c.path}.image ${JSON.stringify(image)} ${what}: ${fix}.`];
  });
}

export function checkNotRoot(isvc: InferenceServiceView): string[] {
  return isvc.allContainers.flatMap((c) => {
    const pod = c.podSecurityContext;
    const own = c.container.securityContext ?? {};
    const where = `${c.path}.securityContext`;
    const problems: string[] = [];
    // The container's settings override the pod's (which Knative hides behind a feature flag).
    const runAsNonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
    const runAsUser = own.runAsUser ?? pod.runAsUser;
    if (runAsUser === 0) {
      problems.push(`${where}.runAsUser is 0 (root): run as a non-root user (e.g. runAsUser: 1000) with runAsNonRoot: true.`);
    } else if (runAsNonRoot !== true && !(typeof runAsUser === "number" && runAsUser > 0)) {
      problems.push(`${where}.runAsNonRoot is not true: set runAsNonRoot: true on the container (the image must name a non-root USER).`);
    }
    if (own.allowPrivilegeEscalation !== false) {
      problems.push(`${where}.allowPrivilegeEscalation is not false: set allowPrivilegeEscalation: false.`);
    }
    if (own.privileged === true) {
      problems.push(`${where}.privileged is true: remove it (Knative accepts only privileged: false).`);
    }
    return problems;
  });
}

export interface MemoryConfig {
  /** The smallest memory limit the model server runs in. @default MIN_MEMORY_LIMIT */
  readonly minMemoryLimit?: string;
}

export function checkMemoryLimit(isvc: InferenceServiceView, args: ResourceValidationArgs): string[] {
  const minimum = args.getConfig<MemoryConfig>().minMemoryLimit ?? MIN_MEMORY_LIMIT;
  const floor = parseQuantity(minimum);
  const serving = isvc.serving;
  const limit = serving?.container.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : parseQuantity(String(limit));
  if (!serving || floor === undefined || bytes === undefined || bytes >= floor) {
    return []; // a missing or unparsable limit is checkResources' to report
  }
  return [`${serving.path}.resources.limits.memory is ${limit}, under the ${minimum} the model server needs: raise it to at least ${minimum}, or the container is OOMKilled.`];
}
