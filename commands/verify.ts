// npm run --silent verify -- <stack>: wait for Ready, smoke-test the server, diagnose on failure.
import { parseArgs } from "util";
import { defaultReportFile, runCommand, writeReport } from "./cli";
import { stackSettings } from "../core/config/stackFile";
import { configFacts, targetOf } from "../cluster/configFacts";
import { KubeApi, loadKubeConfig } from "../cluster/kubeApi";
import { verify } from "../cluster/verify";
import { rolloutPlan } from "../core/canary";

const USAGE = `usage: npm run --silent verify -- <stack> [--canary] [--image REPO@sha256:…] [--ingress HOST[:PORT]] [--kubeconfig FILE] [--timeout SECONDS] [--report FILE]
  waits until the InferenceService's current spec serves: its own pods Ready (the Deployment's newest
  ReplicaSet in Standard mode, the latest Revision in Knative mode), up to the stack's
  readyTimeoutSeconds or --timeout, failing early on a certain cause (image not found, crash loop, …);
  then calls GET /health, POST /predict, V1 predict and V2 ready on a pod of that revision through a
  port-forward (a websocket, like kubectl port-forward); exit 0 only if all pass. On failure it prints the diagnosis.
  --canary test a pod of the canary (rollout.canaryPercent) instead of the stable predictor
  --ingress Knative mode, scaled to zero (replicas.min 0): where the cluster's ingress serves the
           service's host name; verify wakes it with GET /health through its URL, sent there with
           that Host (default: the URL's own host, as DNS resolves it), and reports the cold start
  --image  the image this deploy must run (default: the stack's image key; after a build pass
           \`pulumi stack output imageRef\`); pods running anything else do not count.
  The report goes to reports/verify-<stack>.txt (or --report FILE).`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      kubeconfig: { type: "string" },
      image: { type: "string" },
      canary: { type: "boolean" },
      ingress: { type: "string" },
      timeout: { type: "string" },
      interval: { type: "string" },
      report: { type: "string" },
    },
  });
  if (values.help || positionals.length !== 1) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const stack = positionals[0];
  const settings = stackSettings(stack);
  const timeoutSeconds = values.timeout === undefined ? settings.readyTimeoutSeconds : Number(values.timeout);
  const intervalSeconds = values.interval === undefined ? 2 : Number(values.interval);
  if (!(timeoutSeconds > 0) || !(intervalSeconds > 0)) {
    console.error(`--timeout and --interval must be positive numbers of seconds\n${USAGE}`);
    return 2;
  }
  const api = new KubeApi(loadKubeConfig(values.kubeconfig));
  // The image this deploy ran: with a canary, the stable predictor keeps rollout.stableImage.
  const candidate = values.image ?? settings.image;
  const plan = candidate === undefined ? undefined : rolloutPlan(settings.rollout, candidate);
  const target = { ...targetOf(settings), mode: settings.deploymentMode, image: plan?.stableImage, canaryImage: plan?.canary?.image };
  const result = await verify(api, target, {
    timeoutMs: timeoutSeconds * 1000,
    intervalMs: intervalSeconds * 1000,
    facts: configFacts(settings),
    canary: values.canary,
    ingress: values.ingress,
    log: (line) => console.log(line),
  });
  const reportFile = writeReport(values.report ?? defaultReportFile("verify", stack), result.report);
  console.error(`report written to ${reportFile}`);
  return result.ok ? 0 : 1;
}

runCommand("verify", main);
