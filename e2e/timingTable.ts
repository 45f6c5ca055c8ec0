// The e2e's timing table: a row per step, a column per mode, so a step that runs in both
// (first up, no-op up, a good or crash-looping update, missing digest, slow start, destroy) reads across.
import { Timing } from "./scenarios";

type Mode = NonNullable<Timing["mode"]>;
const MODES: readonly Mode[] = ["Standard", "Knative"];

function cells(t: Timing | undefined): string[] {
  if (!t) return ["", "", ""];
  const within = t.budgetMs === undefined ? "" : t.ms <= t.budgetMs ? "yes" : "NO";
  return [(t.ms / 1000).toFixed(1), t.budgetMs === undefined ? "" : `≤ ${t.budgetMs / 1000}`, within];
}

export function timingTable(timings: readonly Timing[]): string {
  const steps: string[] = [];
  const byStep = new Map<string, Partial<Record<Mode, Timing>>>();
  for (const t of timings) {
    // A step measured again in one mode (it should not be) gets a row of its own.
    let key = t.what;
    for (let n = 2; byStep.get(key)?.[t.mode ?? "Standard"]; n++) key = `${t.what} (${n})`;
    if (!byStep.has(key)) {
      steps.push(key);
      byStep.set(key, {});
    }
    byStep.get(key)![t.mode ?? "Standard"] = t;
  }
  const rows = steps.map((step) => {
    const row = byStep.get(step)!;
    const noted = MODES.filter((m) => row[m]?.note);
    const notes = noted.map((m) => (noted.length > 1 ? `${m}: ${row[m]!.note}` : row[m]!.note!));
    return `| ${step} | ${MODES.flatMap((m) => cells(row[m])).join(" | ")} | ${notes.join("; ")} |`;
  });
  return [
    "| step | Standard (s) | budget | within | Knative (s) | budget | within | meanwhile |",
    "| --- | ---: | ---: | --- | ---: | ---: | --- | --- |",
    ...rows,
  ].join("\n");
}
