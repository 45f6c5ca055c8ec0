// promote --analyze: is the canary as good as the stable under the same load? Pure: figures in,
// a verdict out. The load itself is sent by cluster/loadComparison.ts.

export interface AnalysisSettings {
  /** Requests sent to each of the stable and the canary. */
  readonly requests: number;
  /** The canary's largest error rate (non-2xx, refused, timed out) that still promotes. */
  readonly maxErrorRatePercent: number;
  /** The canary's p99 may be at most this percentage of the stable's p99 … */
  readonly maxP99RatioPercent: number;
  /** … plus this many milliseconds (at a few ms, a ratio alone is noise). */
  readonly p99ToleranceMs: number;
}

export const DEFAULT_ANALYSIS: AnalysisSettings = { requests: 200, maxErrorRatePercent: 1, maxP99RatioPercent: 150, p99ToleranceMs: 25 };

/** One answer: its latency, and whether it was a success (2xx). */
export interface Sample {
  readonly ms: number;
  readonly ok: boolean;
}

export interface LoadFigures {
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorRatePercent: number;
  /** Of the successful answers; undefined with none. */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

export type Verdict = "promote" | "rollback" | "inconclusive";

export interface Analysis {
  readonly verdict: Verdict;
  /** Why, in one line each: the figures against their thresholds. */
  readonly reasons: string[];
  readonly stable: LoadFigures;
  readonly canary: LoadFigures;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export function figuresOf(samples: readonly Sample[]): LoadFigures {
  const latencies = samples.filter((s) => s.ok).map((s) => s.ms).sort((a, b) => a - b);
  const errors = samples.length - latencies.length;
  const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);
  return {
    requests: samples.length,
    ok: latencies.length,
    errors,
    errorRatePercent: samples.length === 0 ? 0 : round((100 * errors) / samples.length)!,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

/** Fewer successful answers than this give no p99 worth comparing. */
export const MIN_SUCCESSES_FOR_P99 = 20;

/**
 * The verdict. Inconclusive (never promote on it) when the stable gives no baseline (fewer than
 * half of its requests answered) or the canary too few answers for a p99; rollback when the
 * canary's error rate or p99 is over its threshold; promote otherwise.
 */
export function judge(stable: LoadFigures, canary: LoadFigures, a: AnalysisSettings): Analysis {
  const result = (verdict: Verdict, reasons: string[]): Analysis => ({ verdict, reasons, stable, canary });
  if (stable.ok < stable.requests / 2 || stable.p99Ms === undefined) {
    return result("inconclusive", [`the stable answered ${stable.ok} of ${stable.requests} requests: no baseline to compare the canary with`]);
  }
  const errorLine = `canary error rate ${canary.errorRatePercent} % (${canary.errors} of ${canary.requests}; stable ${stable.errorRatePercent} %), at most ${a.maxErrorRatePercent} %`;
  if (canary.errorRatePercent > a.maxErrorRatePercent) {
    return result("rollback", [`${errorLine}: over`]);
  }
  if (canary.ok < MIN_SUCCESSES_FOR_P99 || canary.p99Ms === undefined) {
    return result("inconclusive", [errorLine, `the canary answered ${canary.ok} requests: fewer than the ${MIN_SUCCESSES_FOR_P99} a p99 needs`]);
  }
  const limit = Math.round(((stable.p99Ms * a.maxP99RatioPercent) / 100 + a.p99ToleranceMs) * 10) / 10;
  const p99Line = `canary p99 ${canary.p99Ms} ms (p50 ${canary.p50Ms}), stable p99 ${stable.p99Ms} ms (p50 ${stable.p50Ms}): at most ${limit} ms (${a.maxP99RatioPercent} % + ${a.p99ToleranceMs} ms)`;
  if (canary.p99Ms > limit) {
    return result("rollback", [errorLine, `${p99Line}: over`]);
  }
  return result("promote", [errorLine, p99Line]);
}
