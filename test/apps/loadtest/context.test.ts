import { describe, expect, it } from "vitest";
import { EventLoop, getRunningLoop, sleep, type Coro } from "../../../src/loop/index.ts";
import { ramp, RunContext, supervise } from "../../../src/apps/loadtest/context.ts";
import { parseOptions } from "../../../src/apps/loadtest/options.ts";

/** Run `main` on a fresh virtual-clock loop. */
async function onVirtualClock<T>(main: () => Coro<T>): Promise<T> {
  const loop = new EventLoop({ clock: "virtual" });
  try {
    return await loop.runUntilComplete(main());
  } finally {
    loop.close();
  }
}

describe("the load test's run context is on the loop's clock", () => {
  it("regression: start() took its origin from performance.now(), which sleepUntilTime (loop time) then waited for", async () => {
    const options = parseOptions(["--duration", "2", "--warmup", "1"])!;
    const times = await onVirtualClock(function* () {
      yield* sleep(500);
      const ctx = new RunContext(options);
      ctx.start();
      return { startMs: ctx.startMs, measureStartMs: ctx.stats.measureStartMs, sendDeadlineMs: ctx.sendDeadlineMs };
    });
    expect(times).toEqual({ startMs: 500, measureStartMs: 1_500, sendDeadlineMs: 3_500 });
  });

  it("ramps connections at the requested rate on the virtual clock", async () => {
    const started = await onVirtualClock(function* () {
      const loop = getRunningLoop();
      const at: number[] = [];
      yield* ramp(5, 10, () => at.push(loop.time()));
      return at;
    });
    expect(started).toEqual([0, 100, 200, 300, 400]);
  });

  it("supervise gives up after the drain timeout of loop time with nothing arriving", async () => {
    const options = { ...parseOptions([])!, drainTimeoutMs: 1_000 };
    const { stalled, at } = await onVirtualClock(function* () {
      const ctx = new RunContext(options);
      const ok = yield* supervise(ctx, { outstanding: () => 1, plannedReceives: () => undefined }, null, () => false);
      return { stalled: !ok, at: ctx.now() };
    });
    expect(stalled).toBe(true);
    expect(at).toBeGreaterThan(1_000);
    expect(at).toBeLessThan(1_100);
  });
});
