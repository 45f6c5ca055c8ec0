// The diagnose command as a person or CI runs it: `npm run --silent diagnose -- --snapshot FILE --json`.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CAUSES } from "../cluster/diagnosis";
import { ProcessResult, run } from "./helpers/runProcess";
import { snapshotFile } from "./helpers/snapshots";

describe("diagnose command (a real process)", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagnose-cli-"));
  const names = [...CAUSES, "healthy-serverless", "healthy-raw"];
  let results: Record<string, ProcessResult> = {};

  before(async () => {
    // In parallel: each process pays ts-node's start-up once.
    const runs = await Promise.all(
      names.map((name) => run("npm", ["run", "--silent", "diagnose", "--", "--snapshot", snapshotFile(name), "--json", "--report", path.join(dir, `${name}.txt`)])),
    );
    results = Object.fromEntries(names.map((name, i) => [name, runs[i]]));
  });

  for (const cause of CAUSES) {
    it(`--snapshot ${cause}.json --json names ${cause} first and writes the report`, () => {
      const { status, stdout, stderr } = results[cause];
      assert.strictEqual(status, 0, stderr);
      const out = JSON.parse(stdout);
      assert.strictEqual(out.findings[0].cause, cause);
      assert.deepStrictEqual(Object.keys(out.findings[0]).sort(), ["cause", "evidence", "fix"]);
      assert.strictEqual(out.ready, false);
      const report = fs.readFileSync(path.join(dir, `${cause}.txt`), "utf8");
      assert.match(report, new RegExp(`1\\. ${cause}\\n`));
    });
  }

  for (const name of ["healthy-serverless", "healthy-raw"]) {
    it(`--snapshot ${name}.json --json: no findings, Ready`, () => {
      const { status, stdout, stderr } = results[name];
      assert.strictEqual(status, 0, stderr);
      assert.deepStrictEqual(JSON.parse(stdout).findings, []);
      assert.strictEqual(JSON.parse(stdout).ready, true);
    });
  }

  it("a file that is not a snapshot, or no arguments: non-zero exit and a reason", async () => {
    const notSnapshot = path.join(dir, "not.json");
    fs.writeFileSync(notSnapshot, JSON.stringify({ kind: "Pod" }));
    const [bad, none] = await Promise.all([
      run("npm", ["run", "--silent", "diagnose", "--", "--snapshot", notSnapshot, "--json"]),
      run("npm", ["run", "--silent", "diagnose"]),
    ]);
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /is not a snapshot: "inferenceService" missing; "pods" must be an array/);
    assert.strictEqual(bad.stdout, "");
    assert.strictEqual(none.status, 2);
    assert.match(none.stderr, /usage: npm run --silent diagnose/);
  });
});
