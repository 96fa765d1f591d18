import { describe, expect, it, vi } from "vitest";
import {
  currentTask,
  EventLoop,
  Future,
  getRunningLoop,
  LoopStateError,
  sleep,
  type Task,
} from "../../src/loop/index.ts";
import { busyWait, identities, Log, recordingLoop, runUntilIdle, virtualLoop } from "./helpers.ts";

describe("EventLoop.callSoon", () => {
  it("runs callbacks in FIFO order with their arguments", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.callSoon((x: string) => log.push(x), "a");
    loop.callSoon((x: string, y: number) => log.push(`${x}${y}`), "b", 2);
    loop.callSoon((x: string) => log.push(x), "c");
    loop.runOnce();
    expect(log.entries).toEqual(["a", "b2", "c"]);
  });

  it("runs in an iteration only what was ready when the iteration began", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.callSoon(() => {
      log.push("first");
      loop.callSoon(() => {
        log.push("scheduled during the iteration");
        loop.callSoon(log.cb("two iterations later"));
      });
    });
    loop.callSoon(log.cb("second"));
    loop.runOnce();
    expect(log.entries).toEqual(["first", "second"]);
    loop.runOnce();
    expect(log.entries).toEqual(["first", "second", "scheduled during the iteration"]);
    loop.runOnce();
    expect(log.entries.at(-1)).toBe("two iterations later");
  });

  it("skips a cancelled handle", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.callSoon(log.cb("a"));
    const handle = loop.callSoon(log.cb("b"));
    loop.callSoon(log.cb("c"));
    handle.cancel();
    handle.cancel(); // twice does nothing
    expect(handle.cancelled()).toBe(true);
    loop.runOnce();
    expect(log.entries).toEqual(["a", "c"]);
  });

  it("skips a handle cancelled by an earlier callback of the same iteration", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    let later: { cancel(): void } | null = null;
    loop.callSoon(() => {
      log.push("a");
      later?.cancel();
    });
    later = loop.callSoon(log.cb("b"));
    loop.runOnce();
    expect(log.entries).toEqual(["a"]);
  });

  it("reports an error thrown by a callback to the exception handler and goes on", () => {
    const { loop, reports } = recordingLoop();
    const log = new Log();
    const boom = new Error("boom");
    const handle = loop.callSoon(function explode() {
      throw boom;
    });
    loop.callSoon(log.cb("next"));
    loop.runOnce();
    expect(log.entries).toEqual(["next"]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.exception).toBe(boom);
    expect(reports[0]!.handle).toBe(handle);
    expect(reports[0]!.message).toContain("explode");
  });

  it("passes the loop to the exception handler and survives a handler that throws", () => {
    const loop = new EventLoop();
    const seen: EventLoop[] = [];
    loop.setExceptionHandler((_context, l) => {
      seen.push(l);
      throw new Error("handler bug");
    });
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      loop.callSoon(() => {
        throw new Error("boom");
      });
      const log = new Log();
      loop.callSoon(log.cb("after"));
      loop.runOnce();
      expect(seen).toEqual([loop]);
      expect(log.entries).toEqual(["after"]);
      expect(consoleError).toHaveBeenCalledOnce();
    } finally {
      consoleError.mockRestore();
    }
  });
});

describe("EventLoop timers", () => {
  it("fires callLater and callAt in deadline order, ties FIFO, under the virtual clock", async () => {
    const { loop } = virtualLoop();
    const log = new Log();
    const at = (label: string) => () => log.push(`${label}@${loop.time()}`);
    loop.callLater(30, at("c"));
    loop.callLater(10, at("a1"));
    loop.callAt(10, at("a2"));
    loop.callLater(20, at("b1"));
    loop.callLater(10, at("a3"));
    loop.callAt(20, at("b2"));
    loop.callLater(0, at("zero"));
    loop.callLater(-5, at("negative")); // a negative delay is "now"
    loop.callLater(40, () => loop.stop());
    await loop.runForever();
    expect(log.entries).toEqual(["zero@0", "negative@0", "a1@10", "a2@10", "a3@10", "b1@20", "b2@20", "c@30"]);
    expect(loop.time()).toBe(40);
  });

  it("skips a cancelled timer and does not jump the virtual clock to it", async () => {
    const { loop } = virtualLoop();
    const log = new Log();
    const timer = loop.callLater(1000, log.cb("cancelled timer"));
    loop.callLater(5, log.cb("kept"));
    timer.cancel();
    await runUntilIdle(loop);
    expect(log.entries).toEqual(["kept"]);
    expect(loop.time()).toBe(5);
  });

  it("keeps timer order when many cancelled timers are compacted away", async () => {
    const { loop } = virtualLoop();
    const fired: number[] = [];
    const timers = [];
    for (let i = 0; i < 500; i++) timers.push(loop.callLater(500 - i, () => fired.push(500 - i)));
    for (let i = 0; i < 500; i++) if (i % 5 !== 0) timers[i]!.cancel();
    await runUntilIdle(loop);
    const expected = Array.from({ length: 100 }, (_, k) => 500 - 5 * k).reverse();
    expect(fired).toEqual(expected);
    expect(loop.time()).toBe(500);
  });

  it("moves the virtual clock forward only, starting at 0", async () => {
    const { loop } = virtualLoop();
    expect(loop.time()).toBe(0);
    const times: number[] = [];
    for (const ms of [50, 10, 3_600_000, 10]) loop.callLater(ms, () => times.push(loop.time()));
    const started = performance.now();
    await runUntilIdle(loop);
    expect(times).toEqual([10, 10, 50, 3_600_000]);
    expect(performance.now() - started).toBeLessThan(1000); // an hour of loop time, no real hour
  });

  it("the real clock follows real time, the virtual one stands still unless it jumps to a timer", async () => {
    const real = new EventLoop();
    const virtual = new EventLoop({ clock: "virtual" });
    const [real0, virtual0] = [real.time(), virtual.time()];
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(real.time() - real0).toBeGreaterThanOrEqual(25); // Node timers may fire a hair early.
    expect(virtual.time()).toBe(virtual0);
  });

  it("fires a timer at or after its deadline on the real clock", async () => {
    const loop = new EventLoop();
    const scheduledAt = loop.time();
    let firedAt = -1;
    loop.callLater(15, () => {
      firedAt = loop.time();
      loop.stop();
    });
    await loop.runForever();
    expect(firedAt - scheduledAt).toBeGreaterThanOrEqual(15);
    loop.close();
  });
});

describe("EventLoop state", () => {
  it("throws LoopStateError when running, or scheduling on, a closed loop", async () => {
    const loop = new EventLoop();
    loop.close();
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.runForever()).toThrow(LoopStateError);
    await expect(loop.runUntilComplete(sleep(0))).rejects.toThrow(LoopStateError);
    expect(() => loop.callSoon(() => {})).toThrow(LoopStateError);
    expect(() => loop.callLater(1, () => {})).toThrow(LoopStateError);
    expect(() => loop.createTask(sleep(0))).toThrow(/closed/);
  });

  it("throws LoopStateError when asked to run while already running", async () => {
    const { loop } = virtualLoop();
    let syncError: unknown;
    let asyncError: Promise<unknown> | undefined;
    loop.callSoon(() => {
      try {
        void loop.runForever();
      } catch (error) {
        syncError = error;
      }
      asyncError = loop.runUntilComplete(sleep(0)).catch((error: unknown) => error);
      loop.stop();
    });
    await loop.runForever();
    expect(syncError).toBeInstanceOf(LoopStateError);
    expect(String(syncError)).toMatch(/already running/);
    expect(await asyncError).toBeInstanceOf(LoopStateError);
  });

  it("reports isRunning() only while running", async () => {
    const { loop } = virtualLoop();
    const seen: boolean[] = [];
    loop.callSoon(() => {
      seen.push(loop.isRunning());
      loop.stop();
    });
    expect(loop.isRunning()).toBe(false);
    await loop.runForever();
    expect(seen).toEqual([true]);
    expect(loop.isRunning()).toBe(false);
  });

  it("stop() ends the run after the current iteration, and the loop can run again", async () => {
    const { loop } = virtualLoop();
    const log = new Log();
    loop.callSoon(() => {
      log.push("a");
      loop.stop();
      loop.callSoon(log.cb("next iteration"));
    });
    loop.callSoon(log.cb("same iteration"));
    await loop.runForever();
    expect(log.entries).toEqual(["a", "same iteration"]);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(log.entries).toEqual(["a", "same iteration", "next iteration"]);
  });

  it("stop() wakes a parked loop", async () => {
    const loop = new EventLoop();
    const done = loop.runForever(); // nothing to do: it parks
    setTimeout(() => loop.stop(), 5);
    await done;
    expect(loop.isRunning()).toBe(false);
    loop.close();
  });

  it("runUntilComplete rejects when the loop is stopped before the work is done", async () => {
    const { loop } = virtualLoop();
    loop.callLater(10, () => loop.stop());
    await expect(loop.runUntilComplete(sleep(1000))).rejects.toThrow(/stopped before the future completed/);
  });

  it("runUntilComplete accepts a future and resolves with its value", async () => {
    const { loop } = virtualLoop();
    const future = loop.createFuture<string>();
    loop.callLater(10, () => future.setResult("ok"));
    await expect(loop.runUntilComplete(future)).resolves.toBe("ok");
    expect(loop.time()).toBe(10);
  });

  it("close() while running throws LoopStateError", async () => {
    const { loop } = virtualLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        error = e;
      }
      loop.stop();
    });
    await loop.runForever();
    expect(error).toBeInstanceOf(LoopStateError);
    expect(loop.isClosed()).toBe(false);
    loop.close();
    expect(loop.isClosed()).toBe(true);
    loop.close(); // closing twice does nothing
  });

  it("close() drops pending callbacks and timers", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.callSoon(log.cb("soon"));
    loop.callLater(0, log.cb("timer"));
    loop.close();
    loop.runOnce();
    expect(log.entries).toEqual([]);
  });
});

describe("getRunningLoop and currentTask", () => {
  it("getRunningLoop() outside a loop throws a clear LoopStateError", () => {
    expect(() => getRunningLoop()).toThrow(LoopStateError);
    expect(() => getRunningLoop()).toThrow(/no running event loop/);
  });

  it("getRunningLoop() returns the loop inside a callback and a task", async () => {
    const { loop } = virtualLoop();
    const seen: EventLoop[] = [];
    loop.callSoon(() => seen.push(getRunningLoop()));
    await loop.runUntilComplete(
      (function* () {
        seen.push(getRunningLoop());
        yield* sleep(1);
        seen.push(getRunningLoop());
      })(),
    );
    expect(seen).toEqual([loop, loop, loop]);
    expect(() => getRunningLoop()).toThrow(LoopStateError);
  });

  it("currentTask() is the task whose step runs, and null in a plain callback or outside", async () => {
    const { loop } = virtualLoop();
    const seen: (Task<unknown> | null)[] = [];
    expect(currentTask()).toBeNull();
    const main = loop.createTask(
      (function* () {
        seen.push(currentTask());
        loop.callSoon(() => seen.push(currentTask()));
        yield* sleep(1);
        seen.push(currentTask());
      })(),
    );
    await loop.runUntilComplete(main);
    expect(identities(seen, [main, null, main])).toBe(true);
    expect(currentTask()).toBeNull();
  });

  it("allTasks() lists the tasks not yet done", async () => {
    const { loop } = virtualLoop();
    const a = loop.createTask(sleep(10));
    const b = loop.createTask(sleep(20));
    expect(identities(loop.allTasks(), [a, b])).toBe(true);
    await loop.runUntilComplete(a);
    expect(identities(loop.allTasks(), [b])).toBe(true);
    await loop.runUntilComplete(b);
    expect(loop.allTasks()).toHaveLength(0);
  });
});

describe("slow callback reporting (debug)", () => {
  it("reports a callback slower than slowCallbackMs, and not a fast one", () => {
    const onSlowCallback = vi.fn();
    const loop = new EventLoop({ slowCallbackMs: 20, onSlowCallback });
    loop.callSoon(function fast() {});
    loop.runOnce();
    expect(onSlowCallback).not.toHaveBeenCalled();
    loop.callSoon(function slowOne() {
      busyWait(30);
    });
    loop.runOnce();
    expect(onSlowCallback).toHaveBeenCalledOnce();
    const report = onSlowCallback.mock.calls[0]![0] as { what: string; durationMs: number };
    expect(report.durationMs).toBeGreaterThanOrEqual(30);
    expect(report.what).toContain("slowOne");
  });

  it("reports a slow task step with the task's name", () => {
    const onSlowCallback = vi.fn();
    const loop = new EventLoop({ slowCallbackMs: 20, onSlowCallback });
    loop.createTask(
      (function* () {
        busyWait(30);
        yield;
      })(),
      { name: "cruncher" },
    );
    loop.runOnce();
    expect(onSlowCallback).toHaveBeenCalledOnce();
    expect(onSlowCallback.mock.calls[0]![0].what).toContain("cruncher");
    loop.runOnce(); // the fast last step
    expect(onSlowCallback).toHaveBeenCalledOnce();
  });
});

describe("the real-clock driver", () => {
  it("parks while idle: a task sleeping 200 ms uses little CPU and few iterations", async () => {
    const loop = new EventLoop();
    const runOnce = vi.spyOn(loop, "runOnce");
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await loop.runUntilComplete(sleep(200));
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    expect(elapsed).toBeGreaterThanOrEqual(199);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(50);
    expect(runOnce.mock.calls.length).toBeLessThan(10);
    loop.close();
  });

  it("clamps a wait longer than setTimeout allows, so it neither fires early nor spins", async () => {
    const loop = new EventLoop();
    const runOnce = vi.spyOn(loop, "runOnce");
    let fired = false;
    loop.callLater(2 ** 31 + 10, () => {
      fired = true;
    });
    setTimeout(() => loop.stop(), 50);
    await loop.runForever();
    expect(fired).toBe(false);
    // An unclamped setTimeout fires after 1 ms: the loop would wake ~50 times.
    expect(runOnce.mock.calls.length).toBeLessThan(5);
    loop.close();
  });

  it("gives Node its turn while work is always ready", async () => {
    const loop = new EventLoop();
    let nodeTimerFired = false;
    setTimeout(() => {
      nodeTimerFired = true;
    }, 5);
    await loop.runUntilComplete(
      (function* () {
        while (!nodeTimerFired) yield;
      })(),
    );
    expect(nodeTimerFired).toBe(true);
    loop.close();
  });

  it("gives Node its turn soon when tiny steps turn slow (the clock budget that grew on them is capped)", async () => {
    const loop = new EventLoop();
    const gaps: number[] = [];
    let slow = false;
    let done = false;
    let last = performance.now();
    const tick = (): void => {
      const now = performance.now();
      if (slow) gaps.push(now - last);
      last = now;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await loop.runUntilComplete(
      (function* () {
        for (let i = 0; i < 20_000; i++) yield; // Tiny iterations: the budget between clock reads grows.
        slow = true;
        for (let i = 0; i < 600; i++) {
          busyWait(0.5);
          yield;
        }
        done = true;
      })(),
    );
    // Unbounded, the slow steps ran in one slice (180 ms seen); capped, the
    // first clock read comes within 64 of them (32 ms), then every 16.
    expect(Math.max(...gaps)).toBeLessThan(150);
    loop.close();
  });

  it("wakes a loop parked on a far timer when a nearer one is added from outside", async () => {
    const loop = new EventLoop();
    loop.callLater(60_000, () => {});
    let firedAfter = -1;
    const done = loop.runForever();
    const started = loop.time();
    setTimeout(() => {
      loop.callLater(10, () => {
        firedAfter = loop.time() - started;
        loop.stop();
      });
    }, 5);
    await done;
    expect(firedAfter).toBeGreaterThanOrEqual(10);
    expect(firedAfter).toBeLessThan(1000);
    loop.close();
  });

  it("regression: a wake-up asked for during an iteration is polled before the loop parks", async () => {
    // An I/O poller marks a source ready synchronously, inside an iteration
    // (as server.close() does for its accept task). The loop used to park
    // with the mark unpolled, and the waiting task slept forever.
    const loop = new EventLoop();
    let marked: Future<void> | null = null;
    loop.setPoller({
      poll() {
        marked?.setResult();
        marked = null;
      },
      hasWaiters: () => marked !== null,
      flush() {},
    });
    const woken = await loop.runUntilComplete(
      (function* () {
        const ready = new Future<void>(loop);
        marked = ready;
        loop.wakeUp();
        yield* ready;
        return "woken";
      })(),
    );
    expect(woken).toBe("woken");
    loop.close();
  });
});

describe("the poller's flush", () => {
  /** A poller that records, at each flush, the loop's time and how many iterations ran since the previous one. */
  function countingPoller(loop: EventLoop): { iterations: number[]; times: number[] } {
    const seen = { iterations: [] as number[], times: [] as number[] };
    let iterationsAtLastFlush = 0;
    loop.setPoller({
      poll() {},
      hasWaiters: () => false,
      flush() {
        const iterations = loop.stats().iterations;
        seen.iterations.push(iterations - iterationsAtLastFlush);
        seen.times.push(loop.time());
        iterationsAtLastFlush = iterations;
      },
    });
    return seen;
  }

  it("comes once per slice, before the loop waits, not after each iteration", async () => {
    const loop = new EventLoop();
    const seen = countingPoller(loop);
    await loop.runUntilComplete(
      (function* () {
        for (let i = 0; i < 5; i++) yield; // Five iterations in a row: one slice.
        yield* sleep(5); // The loop waits.
        yield;
      })(),
    );
    expect(seen.iterations.length).toBeGreaterThanOrEqual(2);
    expect(seen.iterations[0]).toBeGreaterThanOrEqual(6);
    loop.close();
  });

  it("comes before the virtual clock jumps, as before a real wait", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const seen = countingPoller(loop);
    await loop.runUntilComplete(
      (function* () {
        yield;
        yield* sleep(100);
        yield* sleep(100);
      })(),
    );
    expect(seen.times.slice(0, 2)).toEqual([0, 100]);
    loop.close();
  });

  it("comes after runOnce's iteration", () => {
    const loop = new EventLoop();
    const seen = countingPoller(loop);
    loop.callSoon(() => {});
    loop.runOnce();
    loop.runOnce();
    expect(seen.iterations).toEqual([1, 1]);
    loop.close();
  });
});

describe("EventLoop.coarseTime", () => {
  it("is the loop's time in whole ms as of a recent read: exact on the virtual clock, within a slice on the real one", async () => {
    const virtual = new EventLoop({ clock: "virtual" });
    const seen = await virtual.runUntilComplete(
      (function* () {
        yield* sleep(1234.5);
        return [virtual.coarseTime(), virtual.time()];
      })(),
    );
    expect(seen).toEqual([1234, 1234.5]);
    virtual.close();

    const real = new EventLoop();
    const lag = await real.runUntilComplete(
      (function* () {
        yield* sleep(20);
        busyWait(2);
        return real.time() - real.coarseTime();
      })(),
    );
    expect(lag).toBeGreaterThanOrEqual(2); // not the live clock: the busy wait is not in it
    expect(lag).toBeLessThan(50); // within a slice (4 ms) plus the busy wait, with room for a loaded machine
    real.close();
  });
});
