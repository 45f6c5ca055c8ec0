// The port policies: one container port, probes on it, none of Knative's, PORT as the mode wants.
import * as assert from "assert";
import { settingsWith } from "./helpers/config";
import { checkIsvc, devSettings, isvc, KNATIVE_NAMES, of, STANDARD_NAMES, withMode } from "./helpers/policyHarness";

describe("policy pack kserve-guardrails", () => {
  describe("kserve-one-container-port", () => {
    it("passes one port", () => {
      assert.deepStrictEqual(of(checkIsvc(isvc(devSettings())), "kserve-one-container-port"), []);
    });

    it("fails two ports and no port", () => {
      const two = isvc(devSettings());
      two.spec.predictor.containers[0].ports.push({ containerPort: 9000, protocol: "TCP" });
      assert.match(of(checkIsvc(two), "kserve-one-container-port")[0], /^spec\.predictor\.containers\[0\]\.ports has 2 entries: Knative allows exactly one/);
      const none = isvc(devSettings());
      delete none.spec.predictor.containers[0].ports;
      assert.match(of(checkIsvc(none), "kserve-one-container-port")[0], /^spec\.predictor\.containers\[0\]\.ports is missing: declare exactly one port/);
    });
  });

  describe("kserve-probe-ports-match", () => {
    it("passes a probe naming the port instead of its number", () => {
      const named = isvc(devSettings());
      named.spec.predictor.containers[0].readinessProbe.httpGet.port = "http1";
      assert.deepStrictEqual(of(checkIsvc(named), "kserve-probe-ports-match"), []);
    });

    it("fails a probe on another port, by number or by a name the port does not have", () => {
      const wrong = isvc(devSettings());
      wrong.spec.predictor.containers[0].readinessProbe.httpGet.port = 8080;
      wrong.spec.predictor.containers[0].livenessProbe.httpGet.port = "http";
      assert.deepStrictEqual(of(checkIsvc(wrong), "kserve-probe-ports-match"), [
        'spec.predictor.containers[0].readinessProbe.httpGet.port is 8080 but the container port is 8000: probe the port the server listens on (8000 or "http1"), or the pod never becomes Ready.',
        'spec.predictor.containers[0].livenessProbe.httpGet.port is "http" but the container port is 8000: probe the port the server listens on (8000 or "http1"), or the pod never becomes Ready.',
      ]);
    });

    it("checks tcpSocket and startup probes too; an omitted port is Knative's to fill, not a Deployment's (either name)", () => {
      for (const mode of STANDARD_NAMES) {
        const standard = withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), mode);
        standard.spec.predictor.containers[0].startupProbe = { tcpSocket: { port: 8001 } };
        delete standard.spec.predictor.containers[0].livenessProbe.httpGet.port;
        assert.deepStrictEqual(of(checkIsvc(standard), "kserve-probe-ports-match").map((m) => m.slice(0, m.indexOf(" is "))), [
          "spec.predictor.containers[0].livenessProbe.httpGet.port",
          "spec.predictor.containers[0].startupProbe.tcpSocket.port",
        ], mode);
      }
      for (const mode of KNATIVE_NAMES) {
        const knative = withMode(isvc(devSettings()), mode);
        delete knative.spec.predictor.containers[0].livenessProbe.httpGet.port;
        assert.deepStrictEqual(of(checkIsvc(knative), "kserve-probe-ports-match"), [], mode);
      }
    });
  });

  describe("kserve-no-knative-reserved-port", () => {
    function onPort(port: number, mode?: string): any {
      const manifest = isvc(devSettings());
      const container = manifest.spec.predictor.containers[0];
      container.ports[0].containerPort = port;
      container.readinessProbe.httpGet.port = port;
      container.livenessProbe.httpGet.port = port;
      return withMode(manifest, mode);
    }

    it("fails a reserved port in Knative mode, by either name (and with the mode unset: Knative is KServe's default)", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8012, mode)), "kserve-no-knative-reserved-port"), [
          "spec.predictor.containers[0].ports[0].containerPort is 8012, which Knative reserves (8008, 8012, 8013, 8022, 9090, 9091): serve on another port, e.g. 8000.",
        ], mode);
        assert.strictEqual(of(checkIsvc(onPort(9091, mode)), "kserve-no-knative-reserved-port").length, 1, mode);
      }
      assert.strictEqual(of(checkIsvc(onPort(9090)), "kserve-no-knative-reserved-port").length, 1);
    });

    it("passes an ordinary port, and a reserved number in Standard mode by either name (no Knative there)", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8080, mode)), "kserve-no-knative-reserved-port"), [], mode);
      }
      for (const mode of STANDARD_NAMES) {
        assert.deepStrictEqual(of(checkIsvc(onPort(8012, mode)), "kserve-no-knative-reserved-port"), [], mode);
      }
    });
  });

  describe("kserve-port-env-matches-mode", () => {
    const standard = (mode = "Standard") => withMode(isvc(settingsWith({ "model-serving:deploymentMode": "Standard" })), mode);
    const knative = (mode = "Knative") => withMode(isvc(devSettings()), mode);
    const portEnv = (manifest: any) => manifest.spec.predictor.containers[0].env.find((e: any) => e.name === "PORT");

    it("passes no PORT in Knative mode and PORT = the container port in Standard mode, by either name", () => {
      for (const mode of KNATIVE_NAMES) {
        assert.strictEqual(portEnv(knative(mode)), undefined);
        assert.deepStrictEqual(of(checkIsvc(knative(mode)), "kserve-port-env-matches-mode"), [], mode);
      }
      for (const mode of STANDARD_NAMES) {
        assert.deepStrictEqual(portEnv(standard(mode)), { name: "PORT", value: "8000" });
        assert.deepStrictEqual(of(checkIsvc(standard(mode)), "kserve-port-env-matches-mode"), [], mode);
      }
    });

    it("fails PORT set in Knative mode, by either name", () => {
      for (const mode of KNATIVE_NAMES) {
        const manifest = knative(mode);
        manifest.spec.predictor.containers[0].env.push({ name: "PORT", value: "8000" });
        assert.deepStrictEqual(of(checkIsvc(manifest), "kserve-port-env-matches-mode"), [
          "spec.predictor.containers[0].env[1] sets PORT: remove it; Knative injects PORT (the container port) and rejects a user-set one.",
        ], mode);
      }
    });

    it("fails PORT missing or different in Standard mode, by either name", () => {
      for (const mode of STANDARD_NAMES) {
        const missing = standard(mode);
        missing.spec.predictor.containers[0].env = missing.spec.predictor.containers[0].env.filter((e: any) => e.name !== "PORT");
        assert.match(of(checkIsvc(missing), "kserve-port-env-matches-mode")[0], /^spec\.predictor\.containers\[0\]\.env has no PORT: Standard mode does not inject it; add \{ name: PORT, value: "8000" \}/, mode);
        const different = standard(mode);
        portEnv(different).value = "8080";
        assert.deepStrictEqual(of(checkIsvc(different), "kserve-port-env-matches-mode"), [
          'spec.predictor.containers[0].env[1].value is "8080" but the container port is 8000: set PORT to "8000".',
        ], mode);
      }
    });
  });
});
