// The layering rule check (.dependency-cruiser.cjs) is live: `npm run layers` (part of `npm test`)
// passes on the tree; here it fails, naming the rule, on a copy with imports the wrong way.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, run } from "./helpers/runProcess";

const FOLDERS = ["core", "cluster", "components", "commands", "policy"];
const depcruise = path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const check = (cwd: string) => run(process.execPath, [depcruise, "--config", ".dependency-cruiser.cjs", ...FOLDERS], cwd, 120000);

function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  for (const name of [...FOLDERS, "tsconfig.json", ".dependency-cruiser.cjs"]) {
    fs.cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe("layers: the dependency rules run one way", function () {
  this.timeout(240000);

  it("a wrong-way import fails the check with the rule's name: cluster/ importing a Pulumi component, policy/ reaching zod through core/", async () => {
    const dir = scratchCopy();
    try {
      fs.appendFileSync(path.join(dir, "cluster/deadline.ts"), '\nimport "../components/program";\n');
      fs.appendFileSync(path.join(dir, "core/knative.ts"), '\nimport "../core/config/schema";\n');
      const result = await check(dir);
      assert.notStrictEqual(result.status, 0);
      assert.match(result.stdout, /error cluster-reads-through-core-only: cluster\/deadline\.ts → components\/program\.ts/);
      assert.match(result.stdout, /error policy-pack-stands-alone: policy\/\S+ → \S*node_modules\/zod\//);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
