// promote --analyze: the figures and the verdict (core/analysis.ts), and the load itself through
// port-forwards to a fake API server's model server (cluster/loadComparison.ts).
import * as assert from "assert";
import { DEFAULT_ANALYSIS, figuresOf, judge, LoadFigures, percentile, Sample } from "../core/analysis";
import { compareLoad } from "../cluster/loadComparison";
import { parseSettings, SettingsError } from "../core/config/settings";
import { PROJECT_DIR, validConfig } from "./helpers/config";
import { loopbackApis } from "./helpers/recordings";

const samples = (count: number, ms: number, ok = true): Sample[] => Array.from({ length: count }, () => ({ ms, ok }));
const figures = (list: Sample[]): LoadFigures => figuresOf(list);

describe("analysis: figures", () => {
  it("nearest-rank percentiles of the successful answers; errors counted apart", () => {
    assert.strictEqual(percentile([1, 2, 3, 4], 50), 2);
    assert.strictEqual(percentile([1, 2, 3, 4], 99), 4);
    assert.strictEqual(percentile([], 99), undefined);
    const f = figures([...samples(98, 2), { ms: 90, ok: true }, { ms: 5000, ok: false }]);
    assert.deepStrictEqual(f, { requests: 100, ok: 99, errors: 1, errorRatePercent: 1, p50Ms: 2, p99Ms: 90 });
  });
});

describe("analysis: verdict", () => {
  const stable = figures(samples(200, 3));

  it("promotes a canary within both thresholds, with the figures as reasons", () => {
    const a = judge(stable, figures([...samples(199, 3), { ms: 3, ok: false }]), DEFAULT_ANALYSIS);
    assert.strictEqual(a.verdict, "promote");
    assert.match(a.reasons[0], /^canary error rate 0\.5 % \(1 of 200; stable 0 %\), at most 1 %$/);
    assert.match(a.reasons[1], /^canary p99 3 ms \(p50 3\), stable p99 3 ms \(p50 3\): at most 29\.5 ms \(150 % \+ 25 ms\)$/);
  });

  it("rolls back a canary over the error rate (5xx) or over the p99 limit (slower)", () => {
    const failing = judge(stable, figures([...samples(150, 3), ...samples(50, 3, false)]), DEFAULT_ANALYSIS);
    assert.strictEqual(failing.verdict, "rollback");
    assert.match(failing.reasons.join("\n"), /canary error rate 25 % .*: over/);
    const slow = judge(stable, figures(samples(200, 160)), DEFAULT_ANALYSIS);
    assert.strictEqual(slow.verdict, "rollback");
    assert.match(slow.reasons[1], /canary p99 160 ms .*at most 29\.5 ms .*: over$/);
    // Just within: 150 % of 3 ms plus 25 ms is 29.5 ms.
    assert.strictEqual(judge(stable, figures(samples(200, 29.5)), DEFAULT_ANALYSIS).verdict, "promote");
    assert.strictEqual(judge(stable, figures(samples(200, 29.6)), DEFAULT_ANALYSIS).verdict, "rollback");
  });

  it("never promotes on too few answers: no baseline from the stable, or too few canary answers for a p99", () => {
    const noBaseline = judge(figures([...samples(99, 3), ...samples(101, 3, false)]), figures(samples(200, 3)), DEFAULT_ANALYSIS);
    assert.strictEqual(noBaseline.verdict, "inconclusive");
    assert.match(noBaseline.reasons[0], /the stable answered 99 of 200 requests: no baseline/);
    const few = judge(figures(samples(20, 3)), figures(samples(19, 3)), { ...DEFAULT_ANALYSIS, maxErrorRatePercent: 100 });
    assert.strictEqual(few.verdict, "inconclusive");
    assert.match(few.reasons[1], /the canary answered 19 requests: fewer than the 20 a p99 needs/);
  });
});

describe("analysis: config keys", () => {
  const problems = (analysis: object) => {
    try {
      parseSettings(validConfig({ "model-serving:rollout": { canaryPercent: 20, stableImage: `r@sha256:${"1".repeat(64)}`, analysis } }), { stack: "t", projectDir: PROJECT_DIR });
      return [];
    } catch (e) {
      return (e as SettingsError).problems;
    }
  };

  it("defaults, and each bad value refused with its key", () => {
    const s = parseSettings(validConfig({}), { stack: "t", projectDir: PROJECT_DIR });
    assert.deepStrictEqual(s.rollout.analysis, DEFAULT_ANALYSIS);
    assert.deepStrictEqual(problems({ requests: 50, maxErrorRatePercent: 0.5, maxP99RatioPercent: 120, p99ToleranceMs: 0 }), []);
    assert.match(problems({ requests: 5 })[0], /^model-serving:rollout\.analysis\.requests: 5 must be a whole number from 20 to 10000/);
    assert.match(problems({ maxErrorRatePercent: 101 })[0], /^model-serving:rollout\.analysis\.maxErrorRatePercent: 101 must be a number from 0 to 100/);
    assert.match(problems({ maxP99RatioPercent: 90 })[0], /^model-serving:rollout\.analysis\.maxP99RatioPercent: 90 must be a whole number from 100 to 10000/);
    assert.match(problems({ extra: 1 })[0], /rollout\.analysis/);
  });
});

describe("analysis: the load, through port-forwards", function () {
  this.timeout(20000);
  const { start } = loopbackApis();

  it("sends the requests to each pod, alternately, and counts failures; a pod whose port refuses answers nothing but errors", async () => {
    const { api, r } = await start("standard-serving");
    const pod = r.pods[0];
    const good = await compareLoad(api, "e2e-created", pod, pod, 25);
    assert.deepStrictEqual([good.stable.ok, good.canary.ok, good.stable.errors], [25, 25, 0]);
    // The same pod with a port nothing listens on: every forwarded request is refused.
    const refusing = { ...pod, spec: { ...pod.spec!, containers: pod.spec!.containers.map((c) => ({ ...c, ports: [{ containerPort: 8081 }] })) } };
    const bad = await compareLoad(api, "e2e-created", pod, refusing as typeof pod, 20, 2000);
    assert.deepStrictEqual([bad.stable.ok, bad.canary.ok, bad.canary.errorRatePercent], [20, 0, 100]);
    assert.strictEqual(judge(bad.stable, bad.canary, DEFAULT_ANALYSIS).verdict, "rollback");
  });
});
