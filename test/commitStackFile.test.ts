// The deploy workflow records promotions and rollbacks with .github/commit-stack-file.sh. Two
// stacks' jobs run at once from the same commit: with real git repositories (a bare "origin" and
// two clones), both jobs' stack-file commits land on main, whichever pushes second.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../.github/commit-stack-file.sh");

describe("deploy workflow: a promotion or rollback commit is never lost (real git)", function () {
  this.timeout(60000);
  let dir: string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const record = (cwd: string, stack: string, message: string) =>
    execFileSync("bash", [SCRIPT, message], { cwd, env: { ...process.env, STACK: stack }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    git(dir, "init", "-q", "--bare", "-b", "main", "origin.git");
    git(dir, "clone", "-q", "origin.git", "seed");
    const seed = path.join(dir, "seed");
    fs.writeFileSync(path.join(seed, "Pulumi.dev.yaml"), "config:\n  model-serving:rollout:\n    stableImage: old-dev\n");
    fs.writeFileSync(path.join(seed, "Pulumi.prod.yaml"), "config:\n  model-serving:rollout:\n    stableImage: old-prod\n");
    git(seed, "add", ".");
    git(seed, "commit", "-q", "-m", "stacks");
    git(seed, "push", "-q", "origin", "HEAD:main");
    // Both jobs check out the same commit before either pushes.
    git(dir, "clone", "-q", "origin.git", "dev-job");
    git(dir, "clone", "-q", "origin.git", "prod-job");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("both stacks' new stable digests reach main, the second push rebased onto the first", () => {
    fs.writeFileSync(path.join(dir, "dev-job", "Pulumi.dev.yaml"), "config:\n  model-serving:rollout:\n    stableImage: new-dev\n");
    fs.writeFileSync(path.join(dir, "prod-job", "Pulumi.prod.yaml"), "config:\n  model-serving:rollout:\n    stableImage: new-prod\n");
    record(path.join(dir, "dev-job"), "dev", "Promote dev to new-dev");
    record(path.join(dir, "prod-job"), "prod", "Promote prod to new-prod");
    git(dir, "clone", "-q", "origin.git", "check");
    const check = path.join(dir, "check");
    assert.match(fs.readFileSync(path.join(check, "Pulumi.dev.yaml"), "utf8"), /new-dev/);
    assert.match(fs.readFileSync(path.join(check, "Pulumi.prod.yaml"), "utf8"), /new-prod/);
    assert.deepStrictEqual(git(check, "log", "--format=%s").trim().split("\n"), ["Promote prod to new-prod [skip ci]", "Promote dev to new-dev [skip ci]", "stacks"]);
  });

  it("an unchanged stack file records nothing and succeeds", () => {
    const out = record(path.join(dir, "dev-job"), "dev", "Roll dev back");
    assert.match(out, /Pulumi\.dev\.yaml is unchanged/);
    assert.strictEqual(git(path.join(dir, "dev-job"), "log", "--format=%s").trim(), "stacks");
  });
});
