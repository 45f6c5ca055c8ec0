// npm run --silent diagnose -- <stack> | --snapshot FILE: why the InferenceService is not serving.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { defaultReportFile, runCommand, writeReport } from "./cli";
import { diagnose, diagnoseByPredictor, Finding } from "../cluster/diagnosis";
import { isReady } from "../cluster/diagnosis/facts";
import { formatReport } from "../cluster/report";
import { readSnapshot, Snapshot } from "../cluster/snapshot";

const USAGE = `usage: npm run --silent diagnose -- <stack> [--kubeconfig FILE] [--save FILE] [--json] [--report FILE]
       npm run --silent diagnose -- --snapshot FILE [<stack>] [--json] [--report FILE]
  <stack>          reads Pulumi.<stack>.yaml for the service's name, namespace and config
  --snapshot FILE  diagnose a saved snapshot offline (no cluster)
  --save FILE      also save the collected snapshot as JSON
  --json           print {"findings":[{"cause","evidence","fix"}], "byPredictor":[{"predictor","canary","findings"}], ...}
                   instead of the report (with a canary, byPredictor keeps its findings apart from the stable's)
  --report FILE    where to write the report (default reports/diagnose-<stack>.txt)`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      snapshot: { type: "string" },
      save: { type: "string" },
      kubeconfig: { type: "string" },
      report: { type: "string" },
    },
  });
  if (values.help || positionals.length > 1 || (positionals.length === 0 && !values.snapshot)) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const stack = positionals[0];
  // Loaded only when needed: the settings module brings in Pulumi, the client the Kubernetes
  // client; an offline diagnosis needs neither and starts in a fraction of the time.
  const settings = stack ? (await import("../core/config/stackFile")).stackSettings(stack) : undefined;
  const facts = settings ? (await import("../cluster/configFacts")).configFacts(settings) : {};
  let snapshot: Snapshot;
  if (values.snapshot) {
    snapshot = readSnapshot(values.snapshot);
  } else {
    const { KubeApi, loadKubeConfig } = await import("../cluster/kubeApi");
    const { collectSnapshot } = await import("../cluster/collect");
    const { targetOf } = await import("../cluster/configFacts");
    snapshot = await collectSnapshot(new KubeApi(loadKubeConfig(values.kubeconfig)), targetOf(settings!));
  }
  if (values.save) {
    fs.mkdirSync(path.dirname(path.resolve(values.save)), { recursive: true });
    fs.writeFileSync(values.save, JSON.stringify(snapshot, null, 2) + "\n");
  }
  const findings = diagnose(snapshot, facts);
  const byPredictor = diagnoseByPredictor(snapshot, facts);
  const report = formatReport(snapshot, findings, byPredictor);
  const name = stack ?? path.basename(values.snapshot!, ".json");
  const reportFile = writeReport(values.report ?? defaultReportFile("diagnose", name), report);
  if (values.json) {
    const isvc = snapshot.inferenceService;
    const ready = isReady(snapshot);
    // The documented shape: cause, evidence, fix (how sure the rollout watch may be is its own business).
    const shown = (list: Finding[]) => list.map(({ cause, evidence, fix }) => ({ cause, evidence, fix }));
    console.log(JSON.stringify({ findings: shown(findings), byPredictor: byPredictor.map((p) => ({ ...p, findings: shown(p.findings) })), inferenceService: isvc ? `${isvc.metadata.namespace}/${isvc.metadata.name}` : null, ready, reportFile }, null, 2));
  } else {
    process.stdout.write(report);
    console.error(`report written to ${reportFile}`);
  }
  return 0;
}

runCommand("diagnose", main);
