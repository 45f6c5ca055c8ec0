// npm run --silent promote -- <stack> [--analyze [--json]]: the canary becomes the stable, by hand
// or when a measured comparison with the stable says it is as good.
import { analysisLines, analyzeCanary } from "../cluster/canaryAnalysis";
import { targetOf } from "../cluster/configFacts";
import { promote, rollback } from "./rolloutCommands";
import { exitCode, rolloutCommand } from "./rolloutCommand";

const USAGE = `usage: npm run --silent promote -- <stack> [--analyze [--json]] [--kubeconfig FILE]
  sets model-serving:rollout.stableImage to the running canary's digest (refused when no canary runs),
  then runs the program (the same code as \`pulumi up\`) on the stack; exit 0 only if the update serves.
  --analyze first send rollout.analysis.requests POST /predict to a pod of the stable and one of the
            canary (alternately, through port-forwards) and compare: promote only when the canary's
            error rate is at most rollout.analysis.maxErrorRatePercent and its p99 at most
            maxP99RatioPercent of the stable's plus p99ToleranceMs; otherwise roll back (exit 1).
            Inconclusive (no baseline, too few answers): change nothing, exit 3.
  --json    with --analyze, print the figures as JSON on the last line of output`;

/** Exit code of an inconclusive analysis: nothing changed, a person decides. */
export const INCONCLUSIVE = 3;

rolloutCommand("promote", USAGE, { analyze: { type: "boolean" }, json: { type: "boolean" } }, async ({ settings, api, canary, stack }, values) => {
  const log = (line: string) => (values.json ? console.error(line) : console.log(line));
  if (!values.analyze) {
    return exitCode(await promote(await stack(), settings, canary, log));
  }
  const target = { ...targetOf(settings), mode: settings.deploymentMode, image: canary.stableImage, canaryImage: canary.image };
  const analysis = await analyzeCanary(api, target, settings.rollout.analysis, log);
  analysisLines(analysis).forEach((line) => log(line));
  const report = { ...analysis, thresholds: settings.rollout.analysis, stableImage: canary.stableImage, canaryImage: canary.image };
  const code =
    analysis.verdict === "promote"
      ? exitCode(await promote(await stack(), settings, canary, log))
      : analysis.verdict === "rollback"
        ? (await rollback(await stack(), settings, canary, log), 1)
        : (log("inconclusive: nothing changed; rerun promote --analyze, or promote or roll back by hand"), INCONCLUSIVE);
  if (values.json) console.log(JSON.stringify({ ...report, exitCode: code }));
  return code;
});
