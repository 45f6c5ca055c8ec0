// The real app/ build context: the committed model is part of it, so the content hash (and so
// the image tag) changes whenever the model does.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contentHash, contextFiles } from "../core/buildContext";

const APP = path.join(__dirname, "..", "app");
const MODEL = "models/california-housing/model.npz";

/** A copy of what Docker would send from app/, to change without touching the worktree. */
function copyOfContext(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "model-serving-context-"));
  for (const file of contextFiles(APP)) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(APP, file), path.join(copy, file));
  }
  return copy;
}

describe("app/ build context", () => {
  it("sends the committed model and its metadata, not the tests or the venv", () => {
    const files = contextFiles(APP);
    assert.ok(files.includes(MODEL), files.join(", "));
    assert.ok(files.includes("models/california-housing/metadata.json"));
    assert.deepStrictEqual(files.filter((f) => /^(tests|bench|scripts|\.venv)\//.test(f)), []);
  });

  it("changes its content hash when one byte of the model file changes", () => {
    const copy = copyOfContext();
    const hash = () => contentHash(copy, path.join(copy, "Dockerfile"), { PORT: "8000" });
    const original = hash();
    assert.strictEqual(original, contentHash(APP, path.join(APP, "Dockerfile"), { PORT: "8000" }), "the copy hashes as app/ does");
    const model = fs.readFileSync(path.join(copy, MODEL));
    const middle = Math.floor(model.length / 2);
    model[middle] ^= 0x01;
    fs.writeFileSync(path.join(copy, MODEL), model);
    assert.notStrictEqual(hash(), original);
    model[middle] ^= 0x01;
    fs.writeFileSync(path.join(copy, MODEL), model);
    assert.strictEqual(hash(), original, "restoring the byte restores the hash");
    fs.rmSync(copy, { recursive: true, force: true });
  });
});
