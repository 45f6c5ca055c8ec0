// The container policies: probes present, resources, digests, non-root, readiness delay, liveness path, memory.
import * as assert from "assert";
import { REGISTRY } from "./helpers/mocks";
import { checkIsvc, devSettings, DIGEST_IMAGE, isvc, of } from "./helpers/policyHarness";

describe("policy pack kserve-guardrails", () => {
  describe("kserve-probes-present", () => {
    it("passes readiness and liveness, fails either missing", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-probes-present"), []);
      const noLiveness = isvc(devSettings());
      delete noLiveness.spec.predictor.containers[0].livenessProbe;
      assert.deepStrictEqual(of(checkIsvc(noLiveness), "kserve-probes-present").map((m) => m.split(" ")[0]), ["spec.predictor.containers[0].livenessProbe"]);
    });
  });

  describe("kserve-resources-set", () => {
    it("passes requests and limits with limit ≥ request (quantities compared by value: 1 ≥ 500m, 1Gi ≥ 512Mi)", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].resources.limits.memory = "1Gi";
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), []);
    });

    it("fails a missing value, a limit under its request, and a non-quantity", () => {
      const manifest = isvc(devSettings());
      const resources = manifest.spec.predictor.containers[0].resources;
      delete resources.requests.cpu;
      resources.limits.memory = "200Mi"; // request 256Mi
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), [
        'spec.predictor.containers[0].resources.requests.cpu is missing: set it (e.g. "500m") so the scheduler reserves room and the container is bounded.',
        "spec.predictor.containers[0].resources.limits.memory (200Mi) is below the request (256Mi): raise the limit to at least the request.",
      ]);
      resources.requests.cpu = "500m";
      resources.limits.memory = "2GB";
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-resources-set"), [
        'spec.predictor.containers[0].resources.limits.memory "2GB" is not a Kubernetes quantity: write e.g. "512Mi".',
      ]);
    });
  });

  describe("kserve-image-pinned-by-digest", () => {
    const withImage = (image: string) => of(checkIsvc(isvc(devSettings(), image)), "kserve-image-pinned-by-digest");

    it("passes repository@sha256 and repository:tag@sha256", () => {
      assert.deepStrictEqual(withImage(DIGEST_IMAGE), []);
      assert.deepStrictEqual(withImage(DIGEST_IMAGE.replace("@", ":v1@")), []);
    });

    it("fails :latest, any other tag, and a bare repository", () => {
      assert.match(withImage(`${REGISTRY}/california-housing:latest`)[0], / uses the tag latest: deploy repository@sha256:<digest> \(Knative resolves tags/);
      assert.match(withImage(`${REGISTRY}/california-housing:v12`)[0], / uses the tag v12: /);
      assert.match(withImage(`${REGISTRY}/california-housing`)[0], / has no tag or digest \(so it means :latest\): /);
      assert.strictEqual(withImage(`${REGISTRY}:5000/california-housing`).length, 1, "a registry port is not a tag");
    });
  });

  describe("kserve-container-not-root", () => {
    it("passes the program's container security context, and runAsNonRoot set on the pod", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-container-not-root"), []);
      const podLevel = isvc(devSettings());
      podLevel.spec.predictor.securityContext = { runAsNonRoot: true };
      podLevel.spec.predictor.containers[0].securityContext = { allowPrivilegeEscalation: false };
      assert.deepStrictEqual(of(checkIsvc(podLevel), "kserve-container-not-root"), []);
    });

    it("fails root, privilege escalation and privileged", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].securityContext = { runAsUser: 0, privileged: true };
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-container-not-root").map((m) => m.slice(0, m.indexOf(":"))), [
        "spec.predictor.containers[0].securityContext.runAsUser is 0 (root)",
        "spec.predictor.containers[0].securityContext.allowPrivilegeEscalation is not false",
        "spec.predictor.containers[0].securityContext.privileged is true",
      ]);
    });
  });

  describe("kserve-readiness-no-initial-delay (advisory)", () => {
    it("passes no delay and a few seconds, advises against more", () => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].readinessProbe.initialDelaySeconds = 5;
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-readiness-no-initial-delay"), []);
      manifest.spec.predictor.containers[0].readinessProbe.initialDelaySeconds = 6;
      const [advice] = checkIsvc(manifest).filter((v) => v.policy === "kserve-readiness-no-initial-delay");
      assert.strictEqual(advice.level, "advisory");
      assert.match(advice.message, /initialDelaySeconds is 6: every pod start .* use 0 /);
    });
  });

  describe("kserve-liveness-not-readiness-path (advisory)", () => {
    it("passes different paths, advises against the same one", () => {
      const manifest = isvc(devSettings());
      assert.notStrictEqual(manifest.spec.predictor.containers[0].livenessProbe.httpGet.path, manifest.spec.predictor.containers[0].readinessProbe.httpGet.path);
      assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-liveness-not-readiness-path"), []);
      manifest.spec.predictor.containers[0].livenessProbe.httpGet.path = "/health";
      assert.strictEqual(of(checkIsvc(manifest), "kserve-liveness-not-readiness-path").length, 1);
    });
  });

  describe("kserve-memory-limit-minimum (advisory)", () => {
    const withLimit = (memory: string, config: object = {}) => {
      const manifest = isvc(devSettings());
      manifest.spec.predictor.containers[0].resources.requests.memory = "64Mi";
      manifest.spec.predictor.containers[0].resources.limits.memory = memory;
      return of(checkIsvc(manifest, config), "kserve-memory-limit-minimum");
    };

    it("passes 256Mi and more, advises under it", () => {
      assert.deepStrictEqual(withLimit("256Mi"), []);
      assert.deepStrictEqual(withLimit("128Mi"), [
        "spec.predictor.containers[0].resources.limits.memory is 128Mi, under the 256Mi the model server needs: raise it to at least 256Mi, or the container is OOMKilled.",
      ]);
    });

    it("takes another server's minimum from the policy config", () => {
      assert.deepStrictEqual(withLimit("128Mi", { minMemoryLimit: "100Mi" }), []);
      assert.strictEqual(withLimit("512Mi", { minMemoryLimit: "1Gi" }).length, 1);
    });
  });
});
