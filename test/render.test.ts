// `npm run --silent render -- <stack>`, run as a reviewer runs it: a real process, YAML out.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REDACTED } from "../core/render";
import { fixtureProject } from "./helpers/config";
import { crdMissingReason, inferenceServiceErrors } from "./helpers/kserveSchema";

const ROOT = path.resolve(__dirname, "..");

function render(stack: string, cwd = ROOT) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "commands/render.ts"), stack], {
    cwd,
    encoding: "utf8",
    timeout: 60000,
  });
  const documents = result.status === 0 ? YAML.parseAllDocuments(result.stdout).map((d) => d.toJS()) : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, documents };
}

describe("render: offline Kubernetes objects", () => {
  it("npm run --silent render -- dev prints a CRD-valid InferenceService alone (the namespace is adopted)", function () {
    const npm = spawnSync("npm", ["run", "--silent", "render", "--", "dev"], { cwd: ROOT, encoding: "utf8", timeout: 60000 });
    assert.strictEqual(npm.status, 0, npm.stderr);
    const documents = YAML.parseAllDocuments(npm.stdout).map((d) => d.toJS());
    assert.deepStrictEqual(documents.map((d) => d.kind), ["InferenceService"]);
    const isvc = documents[0];
    assert.strictEqual(isvc.metadata.namespace, "kubeflow-user01");
    assert.strictEqual(isvc.spec.predictor.containers[0].image, "<account>.dkr.ecr.ap-northeast-2.amazonaws.com/model-serving/dev/california-housing@sha256:<digest at deploy>");
    assert.strictEqual(isvc.spec.predictor.containers[0].ports[0].containerPort, 8000);
    if (!crdMissingReason()) {
      assert.deepStrictEqual(inferenceServiceErrors(isvc), []);
    }
  });

  it("prod: the namespace first, then the Standard-mode InferenceService", () => {
    const { status, stderr, documents } = render("prod");
    assert.strictEqual(status, 0, stderr);
    assert.deepStrictEqual(documents.map((d) => `${d.kind}/${d.metadata.name}`), ["Namespace/model-serving-prod", "InferenceService/california-housing"]);
    assert.strictEqual(documents[1].metadata.annotations["serving.kserve.io/deploymentMode"], "Standard");
  });

  it("a cluster on KServe 0.13 (Kubeflow 1.9): the legacy annotation names, whichever name the stack uses", () => {
    const project = fixtureProject();
    for (const [mode, annotation] of [["Knative", "Serverless"], ["Serverless", "Serverless"], ["Standard", "RawDeployment"], ["RawDeployment", "RawDeployment"]]) {
      fs.writeFileSync(path.join(project, "Pulumi.kubeflow.yaml"), `config:\n  model-serving:deploymentMode: ${mode}\n  model-serving:kserveVersion: "0.13"\n  model-serving:nodeRoleAccess:\n    enabled: false\n`);
      const { status, stderr, documents } = render("kubeflow", project);
      assert.strictEqual(status, 0, stderr);
      assert.strictEqual(documents[1].metadata.annotations["serving.kserve.io/deploymentMode"], annotation, mode);
    }
  });

  it("an unquoted kserveVersion (YAML's number 0.13) is refused with the fix", () => {
    const project = fixtureProject();
    fs.writeFileSync(path.join(project, "Pulumi.kubeflow.yaml"), "config:\n  model-serving:kserveVersion: 0.13\n  model-serving:nodeRoleAccess:\n    enabled: false\n");
    const { status, stdout, stderr } = render("kubeflow", project);
    assert.strictEqual(status, 1);
    assert.strictEqual(stdout, "");
    assert.match(stderr, /model-serving:kserveVersion: 0.13 must be a quoted string such as "0.20"/);
  });

  it("a pull secret is shown with its data redacted, and a given image as configured", () => {
    const project = fixtureProject();
    const image = `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/team/model@sha256:${"9".repeat(64)}`;
    fs.writeFileSync(
      path.join(project, "Pulumi.lab.yaml"),
      YAML.stringify({ config: { "model-serving:image": image, "model-serving:pullSecret": { enabled: true }, "model-serving:nodeRoleAccess": { enabled: false } } }),
    );
    const { status, stderr, stdout, documents } = render("lab", project);
    assert.strictEqual(status, 0, stderr);
    assert.deepStrictEqual(documents.map((d) => d.kind), ["Namespace", "Secret", "InferenceService"]);
    assert.deepStrictEqual(documents[1].stringData, { ".dockerconfigjson": REDACTED });
    assert.strictEqual(documents[1].type, "kubernetes.io/dockerconfigjson");
    assert.doesNotMatch(stdout, /password|auths/);
    assert.strictEqual(documents[2].spec.predictor.containers[0].image, image);
  });

  it("invalid config: non-zero exit, the settings message, nothing on stdout", () => {
    const project = fixtureProject();
    fs.writeFileSync(path.join(project, "Pulumi.bad.yaml"), YAML.stringify({ config: { "model-serving:port": 8080.5, "model-serving:nodeRoleAccess": { enabled: false } } }));
    const { status, stdout, stderr } = render("bad", project);
    assert.strictEqual(status, 1);
    assert.strictEqual(stdout, "");
    assert.match(stderr, /model-serving:port: 8080.5 must be a whole number from 1024 to 65535/);
  });

  it("an unknown stack names the stacks that exist", () => {
    const { status, stderr } = render("staging");
    assert.strictEqual(status, 1);
    assert.match(stderr, /no stack file Pulumi.staging.yaml .*stacks here: dev, lab, prod/);
  });
});
