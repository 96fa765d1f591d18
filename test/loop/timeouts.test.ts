import { describe, expect, it } from "vitest";
import { CancelledError, createTask, LoopStateError, sleep, timeout, TimeoutError, waitFor, type Coro } from "../../src/loop/index.ts";
import { guardedSleep, Log, recordingLoop, runUntilIdle, runVirtual, sleepThen, virtualLoop } from "./helpers.ts";

describe("timeout", () => {
  it("throws TimeoutError when the work takes too long, after cancelling it (its finally ran)", async () => {
    const log = new Log();
    const { value, loop } = await runVirtual(function* (loop) {
      try {
        yield* timeout(50, guardedSleep(log, "work", 1000));
      } catch (error) {
        log.push(`caught@${loop.time()}`);
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(TimeoutError);
    expect((value as Error).cause).toBeInstanceOf(CancelledError);
    expect(log.entries).toEqual(["work:start", "work:finally", "caught@50"]);
    expect(loop.time()).toBe(50);
  });

  it("returns the work's value when it is fast enough, and leaves no timer behind", async () => {
    const { loop } = virtualLoop();
    const value = await loop.runUntilComplete(timeout(1000, sleepThen(new Log(), 10, "done", "fast")));
    expect(value).toBe("fast");
    await runUntilIdle(loop);
    expect(loop.time()).toBe(10); // the timeout's timer was cancelled
    loop.close();
  });

  it("lets an external cancellation through as CancelledError, not TimeoutError", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const task = createTask(timeout(1000, guardedSleep(log, "work", 5000)));
      yield* sleep(10);
      task.cancel();
      try {
        yield* task;
      } catch (error) {
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(CancelledError);
    expect(value).not.toBeInstanceOf(TimeoutError);
    expect(log.entries).toEqual(["work:start", "work:finally"]);
  });

  it("lets the work's own error through", async () => {
    const error = new Error("own");
    const { value } = await runVirtual(function* () {
      try {
        yield* timeout(
          100,
          (function* (): Coro<void> {
            yield* sleep(1);
            throw error;
          })(),
        );
      } catch (caught) {
        return caught;
      }
      return null;
    });
    expect(value).toBe(error);
  });

  it("nested: the inner deadline fires first and the outer one keeps running", async () => {
    const { value, loop } = await runVirtual(function* () {
      return yield* timeout(
        100,
        (function* () {
          try {
            yield* timeout(10, sleep(1000));
          } catch (error) {
            if (!(error instanceof TimeoutError)) throw error;
          }
          yield* sleep(20);
          return "outer survived";
        })(),
      );
    });
    expect(value).toBe("outer survived");
    expect(loop.time()).toBe(30);
  });

  it("must run inside a task", () => {
    const { loop } = recordingLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        timeout(10, sleep(1)).next();
      } catch (e) {
        error = e;
      }
    });
    loop.runOnce();
    expect(error).toBeInstanceOf(LoopStateError);
  });
});

describe("waitFor", () => {
  it("throws TimeoutError and cancels the inner task, waiting for its finally", async () => {
    const log = new Log();
    const { value, loop } = await runVirtual(function* (loop) {
      function* slowToCancel(): Coro<string> {
        try {
          yield* sleep(1000);
          return "never";
        } finally {
          yield* sleep(5);
          log.push(`inner finally@${loop.time()}`);
        }
      }
      try {
        return yield* waitFor(slowToCancel(), 20);
      } catch (error) {
        log.push(`caught@${loop.time()}`);
        return error;
      }
    });
    expect(value).toBeInstanceOf(TimeoutError);
    expect(log.entries).toEqual(["inner finally@25", "caught@25"]);
    expect(loop.time()).toBe(25);
  });

  it("returns the value of fast work", async () => {
    const { value } = await runVirtual(function* () {
      return yield* waitFor(sleepThen(new Log(), 5, "x", 99), 20);
    });
    expect(value).toBe(99);
  });

  it("accepts a future, and cancels it on timeout", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      try {
        yield* waitFor(future, 10);
      } catch (error) {
        return [(error as Error).name, future.cancelled()];
      }
      return null;
    });
    expect(value).toEqual(["TimeoutError", true]);
  });

  it("accepts a task that is already done", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(sleepThen(new Log(), 1, "t", "done"));
      yield* sleep(5);
      return yield* waitFor(task, 10);
    });
    expect(value).toBe("done");
  });

  it("lets an external cancellation through as CancelledError and cancels the inner task", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const outer = createTask(waitFor(guardedSleep(log, "inner", 1000), 500));
      yield* sleep(10);
      outer.cancel();
      try {
        yield* outer;
      } catch (error) {
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(CancelledError);
    expect(value).not.toBeInstanceOf(TimeoutError);
    expect(log.entries).toEqual(["inner:start", "inner:finally"]);
  });
});
