// The recorded snapshots in test/fixtures/snapshots, and the strings they hold (for checking that
// evidence quotes the snapshot rather than paraphrasing it).
import * as path from "path";
import { readSnapshot, Snapshot } from "../../cluster/snapshot";

export const SNAPSHOT_DIR = path.resolve(__dirname, "../fixtures/snapshots");

export function snapshotFile(name: string): string {
  return path.join(SNAPSHOT_DIR, `${name}.json`);
}

export function loadSnapshot(name: string): Snapshot {
  return readSnapshot(snapshotFile(name));
}

/** Every string value in the snapshot, and every log line on its own. */
export function snapshotStrings(snapshot: Snapshot): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      out.push(v, ...v.split("\n").map((l) => l.trim()).filter(Boolean));
    } else if (v && typeof v === "object") {
      Object.values(v).forEach(walk);
    }
  };
  walk(snapshot);
  return out;
}

/** The JSON-quoted passages in a finding's evidence. */
export function quotedPassages(evidence: string): string[] {
  return [...evidence.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => JSON.parse(m[0]) as string);
}
