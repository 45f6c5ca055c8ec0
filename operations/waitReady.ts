// Waits for the InferenceService's Ready condition, printing a line whenever a condition changes.
import { KubeApi, KubeApiError, paths } from "./kubeApi";
import { condition, InferenceService } from "./snapshot";
import { Target } from "./collect";
import { sleep, within } from "./deadline";
import { errorText } from "./cli";

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Between polls. @default 2000 */
  readonly intervalMs?: number;
  readonly log: (line: string) => void;
}

export interface WaitResult {
  readonly ready: boolean;
  readonly service: InferenceService | null;
  readonly elapsedMs: number;
  /** Why it is not ready: the last conditions, or the last error. */
  readonly reason: string;
}

/** "Ready=False (RevisionMissing: ...); PredictorReady=False ...": what a person needs per change. */
export function describeConditions(service: InferenceService | null): string {
  if (!service) return "InferenceService not found";
  const conditions = service.status?.conditions ?? [];
  if (conditions.length === 0) return "no conditions yet";
  return conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`).join("; ");
}

/** "600s", or "0.4s" for the short waits tests use. */
function seconds(ms: number): string {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export async function waitForReady(api: KubeApi, target: Target, options: WaitOptions): Promise<WaitResult> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  let last = "";
  // The last conditions read: a timeout should report them, not the final request's error.
  let lastConditions: string | undefined;
  let service: InferenceService | null = null;
  const say = (text: string) => {
    if (text !== last) {
      options.log(`[${Math.round((Date.now() - start) / 1000)}s] ${text}`);
      last = text;
    }
  };
  for (;;) {
    try {
      service = await within(api.getJson<InferenceService>(paths.inferenceService(target.namespace, target.name)), deadline - Date.now(), "InferenceService");
      lastConditions = describeConditions(service);
      say(lastConditions);
      if (condition(service.status?.conditions, "Ready")?.status === "True") {
        return { ready: true, service, elapsedMs: Date.now() - start, reason: last };
      }
    } catch (e) {
      // Refused credentials do not heal by waiting.
      if (e instanceof KubeApiError && (e.status === 401 || e.status === 403)) {
        return { ready: false, service, elapsedMs: Date.now() - start, reason: e.message };
      }
      // 404 while Pulumi has not created it yet, or a blip: keep waiting until the deadline.
      say(e instanceof KubeApiError && e.status === 404 ? "InferenceService not found" : `cannot read the InferenceService: ${errorText(e)}`);
    }
    await sleep(Math.min(options.intervalMs ?? 2000, deadline - Date.now()));
    if (Date.now() >= deadline) {
      return { ready: false, service, elapsedMs: Date.now() - start, reason: `not Ready after ${seconds(options.timeoutMs)}: ${lastConditions ?? last}` };
    }
  }
}
