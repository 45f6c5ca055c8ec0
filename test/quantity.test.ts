import * as assert from "assert";
import { formatBytes, parseQuantity, suggestMemoryQuantity } from "../core/quantity";

describe("Kubernetes quantities", () => {
  it("parses binary, decimal, milli and exponent suffixes to base units", () => {
    assert.strictEqual(parseQuantity("1Gi"), 2 ** 30);
    assert.strictEqual(parseQuantity("512Mi"), 512 * 2 ** 20);
    assert.strictEqual(parseQuantity("500m"), 0.5);
    assert.strictEqual(parseQuantity("2"), 2);
    assert.strictEqual(parseQuantity("1.5G"), 1.5e9);
    assert.strictEqual(parseQuantity("2e3"), 2000);
    assert.strictEqual(parseQuantity("128k"), 128000);
  });

  it("refuses what Kubernetes refuses", () => {
    for (const bad of ["2GB", "1 Gi", "Gi", "", "1gi", "1.2.3", "one", "1KiB"]) {
      assert.strictEqual(parseQuantity(bad), undefined, bad);
    }
  });

  it("suggests the binary unit for common memory misspellings", () => {
    assert.strictEqual(suggestMemoryQuantity("2GB"), "2Gi");
    assert.strictEqual(suggestMemoryQuantity("512mb"), "512Mi");
    assert.strictEqual(suggestMemoryQuantity("1 Gi"), "1Gi");
    assert.strictEqual(suggestMemoryQuantity("512m"), "512Mi");
    assert.strictEqual(suggestMemoryQuantity("lots"), undefined);
  });

  it("formats byte counts for messages", () => {
    assert.strictEqual(formatBytes(128 * 2 ** 20), "128Mi");
    assert.strictEqual(formatBytes(1.5 * 2 ** 30), "1.5Gi");
    assert.strictEqual(formatBytes(100), "100");
  });
});
