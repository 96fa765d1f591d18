import { describe, expect, it } from "vitest";
import { EventLoop, sleep, type Coro } from "../../../src/loop/index.ts";
import { virtualLoop } from "../helpers.ts";
import { ITERATION_SAMPLE_EVERY } from "../../../src/loop/trace/loop-stats.ts";

function* spin(turns: number): Coro<void> {
  for (let i = 0; i < turns; i++) yield;
}

describe("loop.stats()", () => {
  it("counts iterations, steps and live tasks", async () => {
    const { loop } = virtualLoop();
    const before = loop.stats();
    expect(before).toMatchObject({ iterations: 0, steps: 0, tasks: 0, parkedMs: 0 });
    const a = loop.createTask(spin(99));
    loop.createTask(spin(99));
    expect(loop.stats().tasks).toBe(2);
    await loop.runUntilComplete(a);
    const after = loop.stats();
    // Two tasks, 100 steps each (99 yields and the last one), run side by
    // side: 100 iterations, then one for runUntilComplete's done callback.
    expect(after.iterations).toBe(101);
    expect(after.steps).toBe(201);
    expect(after.tasks).toBe(0);
    expect(after.iteration.count).toBe(Math.floor(101 / ITERATION_SAMPLE_EVERY));
    loop.close();
  });

  it("counts the virtual time jumped as parked, and on-time timers as zero lag", async () => {
    const { loop } = virtualLoop();
    await loop.runUntilComplete(
      (function* () {
        yield* sleep(250);
        yield* sleep(750);
      })(),
    );
    const stats = loop.stats();
    expect(stats.parkedMs).toBe(1000);
    expect(stats.lag).toEqual({ count: 2, sumMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
    loop.close();
  });

  it("measures how late a timer runs behind a step that blocks the loop", async () => {
    const loop = new EventLoop();
    const blockMs = 30;
    loop.callSoon(() => {
      const end = performance.now() + blockMs;
      while (performance.now() < end); // Hold the loop past the timer's deadline.
    });
    const lateBy: number[] = [];
    const deadline = loop.time() + 5;
    loop.callAt(deadline, () => lateBy.push(loop.time() - deadline));
    await loop.runUntilComplete(sleep(40));
    const { lag } = loop.stats();
    expect(lag.count).toBe(2); // The callAt and the sleep's timer.
    expect(lag.maxMs).toBeGreaterThanOrEqual(blockMs - 6);
    expect(lag.maxMs).toBeLessThanOrEqual(lateBy[0]! + 1);
    expect(lag.p50Ms).toBeLessThanOrEqual(lag.p99Ms);
    expect(lag.p99Ms).toBeLessThanOrEqual(lag.maxMs);
    loop.close();
  });

  it("counts real time parked while waiting on a timer", async () => {
    const loop = new EventLoop();
    await loop.runUntilComplete(sleep(30));
    expect(loop.stats().parkedMs).toBeGreaterThanOrEqual(25);
    expect(loop.stats().parkedMs).toBeLessThan(1000);
    loop.close();
  });
});
