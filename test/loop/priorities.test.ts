import { describe, expect, it } from "vitest";
import { currentTask, release, sleep, type Coro } from "../../src/loop/index.ts";
import { Log, recordingLoop, runVirtual } from "./helpers.ts";

function* logSteps(log: Log, label: string, steps: number): Coro<void> {
  for (let i = 0; i < steps; i++) {
    log.push(`${label}${i}`);
    yield;
  }
}

describe("task priorities", () => {
  it("runs the lower priority number first among tasks ready together, FIFO within a level", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(logSteps(log, "p5a.", 1), { priority: 5 });
    loop.createTask(logSteps(log, "p0a.", 1));
    loop.createTask(logSteps(log, "m1a.", 1), { priority: -1 });
    loop.createTask(logSteps(log, "p5b.", 1), { priority: 5 });
    loop.createTask(logSteps(log, "m1b.", 1), { priority: -1 });
    loop.createTask(logSteps(log, "p0b.", 1), { priority: 0 });
    loop.runOnce();
    expect(log.entries).toEqual(["m1a.0", "m1b.0", "p0a.0", "p0b.0", "p5a.0", "p5b.0"]);
  });

  it("keeps the order at every iteration while the tasks spin", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(logSteps(log, "low", 3), { priority: 1 });
    loop.createTask(logSteps(log, "high", 3), { priority: -1 });
    for (let i = 0; i < 3; i++) loop.runOnce();
    expect(log.entries).toEqual(["high0", "low0", "high1", "low1", "high2", "low2"]);
  });

  it("orders wake-ups from timers by priority too", async () => {
    const log = new Log();
    await runVirtual(function* (loop) {
      const tasks = [
        loop.createTask(
          (function* () {
            yield* sleep(10);
            log.push("priority 3");
          })(),
          { priority: 3 },
        ),
        loop.createTask(
          (function* () {
            yield* sleep(10);
            log.push("priority -3");
          })(),
          { priority: -3 },
        ),
      ];
      for (const t of tasks) yield* t;
    });
    expect(log.entries).toEqual(["priority -3", "priority 3"]);
  });

  it("applies a priority changed while the task runs from its next wake-up", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(
      (function* () {
        log.push("a0");
        currentTask()!.priority = 10;
        log.push("a0 again (the change does not preempt)");
        yield;
        log.push("a1");
        yield;
        log.push("a2");
      })(),
    );
    loop.createTask(logSteps(log, "b", 3), { priority: 5 });
    for (let i = 0; i < 3; i++) loop.runOnce();
    expect(log.entries).toEqual(["a0", "a0 again (the change does not preempt)", "b0", "b1", "a1", "b2", "a2"]);
  });

  it("does not starve: a priority 10 task progresses every iteration while a priority -10 task spins", () => {
    const { loop } = recordingLoop();
    let spins = 0;
    const spinner = loop.createTask(
      (function* () {
        for (;;) {
          spins++;
          yield* release();
        }
      })(),
      { priority: -10 },
    );
    let steps = 0;
    const lazy = loop.createTask(
      (function* () {
        for (let i = 0; i < 20; i++) {
          steps++;
          yield* release();
        }
      })(),
      { priority: 10 },
    );
    let iterations = 0;
    while (!lazy.done() && iterations < 1000) {
      loop.runOnce();
      iterations++;
    }
    expect(lazy.done()).toBe(true);
    expect(steps).toBe(20);
    expect(iterations).toBeLessThanOrEqual(21); // one step per iteration, plus the last
    expect(spins).toBeGreaterThanOrEqual(20); // the urgent one did spin all along
    spinner.cancel();
    loop.runOnce();
    expect(spinner.cancelled()).toBe(true);
  });

  it("does not starve a low-priority task while several urgent tasks spin", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* (loop) {
      let stop = false;
      const spinners = [1, 2, 3].map(() =>
        loop.createTask(
          (function* () {
            while (!stop) yield;
          })(),
          { priority: -10 },
        ),
      );
      const lazy = loop.createTask(
        (function* () {
          yield* sleep(0);
          log.push("lazy ran");
        })(),
        { priority: 100 },
      );
      yield* lazy;
      stop = true;
      for (const s of spinners) yield* s;
    });
    expect(log.entries).toEqual(["lazy ran"]);
    expect(loop.time()).toBe(0);
  });
});
