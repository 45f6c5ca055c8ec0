// The config reference cannot drift: every key of the schema (components/configSchema.ts) is in
// the README's "Config keys" table and the table names no other, every key is a field of the
// settings, and each default the table writes as plain values is what settings apply.
//
// Defaults are checked where the table writes them as values: `8000`; one per key (`1`, `2`,
// `3` for `cluster.nodes.min`, `.desired`, `.max`); per mode (`0` Knative, `2` Standard) or for
// lab mode (`Standard` in lab mode); and `—` for unset. Defaults written as prose or with
// placeholders (`model-serving/<stack>/<modelName>`) are listed in PROSE_DEFAULTS and not checked.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { z } from "zod";
import { configSchema, RawConfig } from "../core/config/schema";
import { applyDefaults, Settings } from "../core/config/settings";

const README = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf8");

/** Keys whose README default is prose or a pattern, not a value settings could be compared with. */
const PROSE_DEFAULTS = ["build.dockerfile", "ecr.repositoryName", "cluster.vpcId", "cluster.subnetIds", "probes.startup.path"];

/** Every leaf path of the schema: `probes.readiness.periodSeconds`; maps and lists (`env`, `nodeRoleAccess.roleNames`) are leaves. */
function schemaKeys(schema: z.ZodType = configSchema, prefix = ""): string[] {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape).flatMap(([key, child]) => schemaKeys(child as z.ZodType, prefix ? `${prefix}.${key}` : key));
  }
  return [prefix];
}

interface Row {
  /** The row's keys, relative forms expanded: `cluster.nodes.min`, `.desired` → `cluster.nodes.desired`. */
  readonly keys: string[];
  readonly defaultCell: string;
}

/** The rows of the table under "## Config keys". */
function configTable(readme: string): Row[] {
  const section = readme.slice(readme.indexOf("\n## Config keys\n"));
  const table = section.slice(0, section.indexOf("\n## ", 1));
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [keyCell, defaultCell] = line.replace(/^\|\s*/, "").replace(/\s*\|$/, "").split(/\s+\|\s+/);
      return { keys: rowKeys(keyCell), defaultCell };
    });
}

/** `a.b.c`, `.d` → a.b.c, a.b.d; anything in the cell but backticked keys and commas is an error. */
function rowKeys(cell: string): string[] {
  assert.strictEqual(cell.replace(/`[^`]+`/g, "").replace(/,/g, "").trim(), "", `key cell ${JSON.stringify(cell)} holds more than keys`);
  const keys: string[] = [];
  for (const [, written] of cell.matchAll(/`([^`]+)`/g)) {
    const previous = keys[keys.length - 1];
    keys.push(written.startsWith(".") && previous ? previous.slice(0, previous.lastIndexOf(".")) + written : written);
  }
  return keys;
}

/** The settings a default is stated for: none named, a mode, or lab mode. */
type Variant = "empty config" | "Knative" | "Standard" | "lab mode";

const VARIANT_CONFIG: Record<Variant, RawConfig> = {
  "empty config": {},
  Knative: { deploymentMode: "Knative" },
  Standard: { deploymentMode: "Standard" },
  "lab mode": { cluster: { create: true } },
};

interface Expectation {
  readonly key: string;
  readonly variant: Variant;
  /** The default as written (a value between backticks); undefined for `—` (unset). */
  readonly literal?: string;
}

/** What a default cell states, key by key; empty when it is prose. */
function expectations(keys: string[], cell: string): Expectation[] {
  const found: Expectation[] = cell.startsWith("—") ? keys.map((key) => ({ key, variant: "empty config" as const })) : [];
  for (const [, run, tag] of cell.matchAll(/((?:`[^`]+`(?:,\s*)?)+)(?:\s+(Knative|Standard|in lab mode)\b)?/g)) {
    const values = [...run.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    if (values.some((value) => value.includes("<"))) {
      continue; // a pattern such as model-serving-<stack>
    }
    assert.strictEqual(values.length, keys.length, `default cell ${JSON.stringify(cell)}: ${values.length} values for ${keys.length} keys (${keys.join(", ")})`);
    const variant: Variant = tag === undefined ? "empty config" : tag === "in lab mode" ? "lab mode" : (tag as Variant);
    values.forEach((literal, i) => found.push({ key: keys[i], variant, literal }));
  }
  return found;
}

function valueAt(settings: Settings, key: string): unknown {
  return key.split(".").reduce<any>((node, part) => node?.[part], settings);
}

/** Whether a settings value is what the README writes: the same text, or for maps and lists the same JSON. */
function sameAsWritten(value: unknown, literal: string | undefined): boolean {
  if (literal === undefined) {
    return value === undefined;
  }
  if (value !== null && typeof value === "object") {
    try {
      return isDeepStrictEqual(value, JSON.parse(literal));
    } catch {
      return false;
    }
  }
  return String(value) === literal;
}

/** The table's keys that are this program's (`aws:region` belongs to the AWS provider). */
function readmeKeys(readme: string): string[] {
  return configTable(readme).flatMap((row) => row.keys).filter((key) => !key.includes(":"));
}

/** Each stated default that settings do not produce, as "key (variant): README says X, settings give Y". */
function defaultMismatches(readme: string): string[] {
  const settings = Object.fromEntries(Object.entries(VARIANT_CONFIG).map(([variant, raw]) => [variant, applyDefaults(raw, "test", undefined)])) as Record<Variant, Settings>;
  return configTable(readme)
    .flatMap((row) => expectations(row.keys, row.defaultCell))
    .filter((e) => !e.key.includes(":") && !sameAsWritten(valueAt(settings[e.variant], e.key), e.literal))
    .map((e) => `${e.key} (${e.variant}): README says ${e.literal ?? "unset"}, settings give ${JSON.stringify(valueAt(settings[e.variant], e.key))}`);
}

/** Keys in the table whose default is not checked (prose), sorted. */
function uncheckedKeys(readme: string): string[] {
  return configTable(readme)
    .filter((row) => expectations(row.keys, row.defaultCell).length === 0)
    .flatMap((row) => row.keys)
    .filter((key) => !key.includes(":"))
    .sort();
}

describe("config reference: schema, settings and the README's Config keys table agree", () => {
  const schema = schemaKeys();

  it("reads the schema's keys, nested ones as dotted paths", () => {
    for (const key of ["port", "kserveVersion", "env", "cluster.nodes.desired", "probes.readiness.periodSeconds", "probes.startup.enabled", "nodeRoleAccess.roleNames"]) {
      assert.ok(schema.includes(key), key);
    }
    assert.ok(!schema.includes("probes") && !schema.includes("cluster.nodes"), "objects are not keys, their fields are");
  });

  it("every schema key is in the README table", () => {
    const documented = new Set(readmeKeys(README));
    assert.deepStrictEqual(schema.filter((key) => !documented.has(key)), [], "add these keys to the README's Config keys table");
  });

  it("the README table names no key the schema lacks, and none twice", () => {
    const keys = readmeKeys(README);
    assert.deepStrictEqual(keys.filter((key) => !schema.includes(key)), [], "the README documents keys the config schema does not have");
    assert.deepStrictEqual(keys.filter((key, i) => keys.indexOf(key) !== i), [], "keys listed twice");
  });

  it("every schema key is a field of the settings", () => {
    const settings = applyDefaults({}, "test", undefined);
    const missing = schema.filter((key) => {
      const parent = key.includes(".") ? valueAt(settings, key.slice(0, key.lastIndexOf("."))) : settings;
      return !(parent && typeof parent === "object" && key.slice(key.lastIndexOf(".") + 1) in parent);
    });
    assert.deepStrictEqual(missing, []);
  });

  it("each default the table states as values is what settings apply (per mode and in lab mode where it says so)", () => {
    assert.deepStrictEqual(defaultMismatches(README), []);
  });

  it("only the prose defaults go unchecked", () => {
    assert.deepStrictEqual(uncheckedKeys(README), [...PROSE_DEFAULTS].sort());
    const checked = configTable(README).flatMap((row) => expectations(row.keys, row.defaultCell));
    assert.ok(checked.length >= 50, `only ${checked.length} defaults checked`);
  });

  it("the checks are live: a wrong default, a missing row and an unknown key are each caught", () => {
    const row = (key: string) => README.split("\n").find((line) => line.startsWith(`| \`${key}\` |`))!;
    const wrongPort = README.replace(row("port"), row("port").replace("| `8000` |", "| `8080` |"));
    assert.deepStrictEqual(defaultMismatches(wrongPort), ["port (empty config): README says 8080, settings give 8000"]);
    const wrongModeDefault = README.replace("| `0` Knative, `2` Standard |", "| `0` Knative, `3` Standard |");
    assert.deepStrictEqual(defaultMismatches(wrongModeDefault), ["probes.readiness.periodSeconds (Standard): README says 3, settings give 2"]);
    const withoutKserveVersion = README.replace(`${row("kserveVersion")}\n`, "");
    assert.deepStrictEqual(schema.filter((key) => !readmeKeys(withoutKserveVersion).includes(key)), ["kserveVersion"]);
    const extraKey = README.replace(row("port"), row("port").replace("| `port` |", "| `port`, `containerPort` |").replace("| `8000` |", "| `8000`, `8000` |"));
    assert.deepStrictEqual(readmeKeys(extraKey).filter((key) => !schema.includes(key)), ["containerPort"]);
  });
});
