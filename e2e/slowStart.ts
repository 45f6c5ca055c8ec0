// No false alarm: an image that binds its port only after a delay within its startup probe's
// budget (as model servers that load a model first do) must deploy, though its startup probe sees
// "connection refused" for a while. The watch used to call that port-mismatch within seconds.
import * as assert from "assert";
import { derivedImage } from "./image";
import { Context, failureExcerpt, MODEL, Recorder, stackConfig } from "./scenarios";

export const SLOW_NAMESPACE = "e2e-slow";
/** How long the image waits before the server starts: inside the default startup budget (2 min). */
export const LISTEN_DELAY_SECONDS = 25;

export async function slowStartDeploys(ctx: Context, record: Recorder): Promise<void> {
  const slow = derivedImage(ctx.image, "slow-start", [`CMD ["sh", "-c", "sleep ${LISTEN_DELAY_SECONDS} && exec python -m model_server"]`]);
  const stack = await ctx.stacks.create("e2e-slow", stackConfig(SLOW_NAMESPACE, slow, { "model-serving:readyTimeoutSeconds": 180 }));
  try {
    // What the cluster shows while the server has not bound yet: the unit tests' fixture.
    const snapshotTaken = new Promise<void>((resolve) => setTimeout(() => record("standard-slow-start", SLOW_NAMESPACE).then(resolve, resolve), (LISTEN_DELAY_SECONDS - 8) * 1000));
    const run = await ctx.stacks.up(stack);
    await snapshotTaken;
    assert.ok(run.ok, `up failed on a healthy slow start:\n${failureExcerpt(run.output)}`);
    assert.ok(run.ms >= LISTEN_DELAY_SECONDS * 1000, `up returned after ${run.ms} ms, before the server could listen`);
    const service = await ctx.cluster.service(SLOW_NAMESPACE, MODEL);
    assert.ok(service?.status?.url, "the slow service has no URL");
    ctx.timings.push({ what: `slow start (listens after ${LISTEN_DELAY_SECONDS} s) → serving`, ms: run.ms });
  } finally {
    await ctx.stacks.remove(stack);
    // Its pods drain for a while: the timed scenarios after this one should not share the CPU with them.
    await ctx.cluster.untilNamespaceGone(SLOW_NAMESPACE, 120000).catch(() => undefined);
  }
}
