// The policies beside the InferenceService: the ECR repository and the registry pull secret.
import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { PolicyResourceOptions } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ModelImage } from "../components/modelImage";
import { dockerConfigJson, pullSecretManifest } from "../core/manifests";
import { ECR_REPOSITORY_TYPE, SECRET_TYPE } from "../policy/policies";
import { fixtureProject, settingsWith } from "./helpers/config";
import { ECR_PASSWORD, RecordedOptions, recordOptions, REGISTRY, settle, unwrapSecret, useMocks, valueOf } from "./helpers/mocks";
import { evaluate, names, of } from "./helpers/policyHarness";

describe("policy pack kserve-guardrails", () => {
  describe("ecr-scan-on-push-immutable-tags", () => {
    it("passes the repository the program's ModelImage registers (recorded under mocks)", async () => {
      const mocks = await useMocks();
      const image = new ModelImage("model", { repositoryName: "model-serving/dev/california-housing", context: path.join(fixtureProject(), "app"), port: 8000 });
      await valueOf(image.imageRef);
      assert.deepStrictEqual(evaluate(ECR_REPOSITORY_TYPE, mocks.one(ECR_REPOSITORY_TYPE).inputs), []);
    });

    it("fails a repository with the defaults (no scan, mutable tags)", () => {
      const violations = evaluate(ECR_REPOSITORY_TYPE, { name: "california-housing" });
      assert.deepStrictEqual(names(violations), ["ecr-scan-on-push-immutable-tags"]);
      assert.deepStrictEqual(violations.map((v) => v.message.split(" ")[0]), ["imageScanningConfiguration.scanOnPush", "imageTagMutability"]);
      assert.match(violations[1].message, /is "MUTABLE \(the default\)": set "IMMUTABLE"/);
    });
  });

  describe("pull-secret-dockerconfigjson-secret", () => {
    const settings = () => settingsWith({ "model-serving:pullSecret": { enabled: true } });
    const pullSecret = () => structuredClone(pullSecretManifest(settings(), dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD))) as any;

    it("passes the program's pull secret registered with data and stringData as secret outputs", () => {
      assert.deepStrictEqual(evaluate(SECRET_TYPE, pullSecret(), { additionalSecretOutputs: ["data", "stringData"] }), []);
    });

    it("fails the same secret when the engine was not told to keep its data secret", () => {
      assert.deepStrictEqual(of(evaluate(SECRET_TYPE, pullSecret()), "pull-secret-dockerconfigjson-secret"), [
        'stringData is not a Pulumi secret (the resource\'s additionalSecretOutputs does not name "stringData"): create the Secret with @pulumi/kubernetes ' +
          '(k8s.core.v1.Secret marks data and stringData secret) or add additionalSecretOutputs: ["stringData"], so the registry credentials are encrypted in the state.',
      ]);
    });

    it("fails docker credentials in an Opaque secret, and a dockerconfigjson secret without its key", () => {
      const opaque = { ...pullSecret(), type: "Opaque" };
      assert.match(of(evaluate(SECRET_TYPE, opaque, { additionalSecretOutputs: ["data", "stringData"] }), "pull-secret-dockerconfigjson-secret")[0], /^type is "Opaque": a pull secret must be type "kubernetes.io\/dockerconfigjson"/);
      const keyless = { ...pullSecret(), stringData: { config: "{}" } };
      assert.match(of(evaluate(SECRET_TYPE, keyless, { additionalSecretOutputs: ["data", "stringData"] }), "pull-secret-dockerconfigjson-secret")[0], /^data\[".dockerconfigjson"\] is missing/);
    });

    it("leaves other secrets alone", () => {
      assert.deepStrictEqual(evaluate(SECRET_TYPE, { type: "Opaque", metadata: { name: "db" }, stringData: { password: "x" } }), []);
    });

    describe("as a Pulumi program registers it (recorded under mocks)", () => {
      /** The Secret's inputs as the policy sees them (secrets unwrapped) and the options the engine forwards. */
      async function registered(create: (opts: pulumi.CustomResourceOptions) => void): Promise<{ props: any; opts: Partial<PolicyResourceOptions> }> {
        const mocks = await useMocks();
        const options: RecordedOptions[] = [];
        create({ transformations: [recordOptions(options)] });
        await settle();
        const inputs = mocks.one(SECRET_TYPE).inputs;
        const props = { ...inputs, stringData: unwrapSecret(inputs.stringData).value };
        return { props, opts: { additionalSecretOutputs: options[0].opts.additionalSecretOutputs ?? [] } };
      }
      /** A Secret registered by hand, not through the @pulumi/kubernetes class. */
      class HandRolledSecret extends pulumi.CustomResource {
        constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
          super(SECRET_TYPE, name, props, opts);
        }
      }
      const manifest = () => pullSecretManifest(settings(), pulumi.secret(dockerConfigJson(REGISTRY, "AWS", ECR_PASSWORD)));

      it("passes a k8s.core.v1.Secret: the class itself marks data and stringData secret", async () => {
        const { props, opts } = await registered((o) => new k8s.core.v1.Secret("pull", manifest() as k8s.core.v1.SecretArgs, o));
        assert.deepStrictEqual(opts.additionalSecretOutputs, ["data", "stringData"]);
        assert.deepStrictEqual(evaluate(SECRET_TYPE, props, opts), []);
      });

      it("fails a hand-rolled registration of the same type, even with the value wrapped in pulumi.secret", async () => {
        const { props, opts } = await registered((o) => new HandRolledSecret("pull", manifest(), o));
        assert.strictEqual(typeof props.stringData[".dockerconfigjson"], "string", "the policy sees the value in plaintext");
        assert.deepStrictEqual(names(evaluate(SECRET_TYPE, props, opts)), ["pull-secret-dockerconfigjson-secret"]);
      });
    });
  });
});
