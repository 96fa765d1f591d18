import { describe, expect, it } from "vitest";
import { CancelledError, createTask, gather, gatherWith, sleep, type Coro } from "../../src/loop/index.ts";
import { guardedSleep, Log, runVirtual, sleepThen, sleepThenThrow } from "./helpers.ts";

describe("gather", () => {
  it("returns results in argument order, typed, even when the children finish in reverse order", async () => {
    const log = new Log();
    const { value, loop } = await runVirtual(function* () {
      const [a, b, c] = yield* gather(sleepThen(log, 30, "a", 1), sleepThen(log, 20, "b", "two"), sleepThen(log, 10, "c", true));
      const typed: [number, string, boolean] = [a, b, c];
      return typed;
    });
    expect(log.entries).toEqual(["c", "b", "a"]);
    expect(value).toEqual([1, "two", true]);
    expect(loop.time()).toBe(30); // concurrently, not one after the other
  });

  it("accepts futures and tasks as well as coroutines", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<string>();
      loop.callLater(5, () => future.setResult("future"));
      const task = createTask(sleepThen(new Log(), 1, "t", 7));
      return yield* gather(future, task, sleepThen(new Log(), 2, "c", "coro"));
    });
    expect(value).toEqual(["future", 7, "coro"]);
  });

  it("of nothing returns an empty array at once", async () => {
    const { value, loop } = await runVirtual(function* () {
      const empty = gather();
      expect(empty.done()).toBe(true);
      return yield* empty;
    });
    expect(value).toEqual([]);
    expect(loop.time()).toBe(0);
  });

  it("propagates the first failure as soon as it happens; the others keep running", async () => {
    const log = new Log();
    const error = new Error("first");
    const { value, reports } = await runVirtual(function* (loop) {
      let caughtAt = -1;
      try {
        yield* gather(sleepThen(log, 30, "slow ok", 1), sleepThenThrow(10, error), sleepThenThrow(20, new Error("second")));
      } catch (caught) {
        caughtAt = loop.time();
        log.push(`caught ${(caught as Error).message}`);
      }
      yield* sleep(50);
      return caughtAt;
    });
    expect(value).toBe(10);
    expect(log.entries).toEqual(["caught first", "slow ok"]);
    expect(reports).toEqual([]); // the second failure is not reported as never retrieved
  });

  it("with returnExceptions puts errors and cancellations in the results", async () => {
    const error = new Error("failed child");
    const { value } = await runVirtual(function* () {
      const cancelled = createTask(sleep(1000));
      cancelled.cancel();
      return yield* gatherWith({ returnExceptions: true }, sleepThen(new Log(), 5, "ok", "fine"), sleepThenThrow(1, error), cancelled);
    });
    expect(value[0]).toBe("fine");
    expect(value[1]).toBe(error);
    expect(value[2]).toBeInstanceOf(CancelledError);
  });

  it("cancelling the gather cancels the children, whose finally runs", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const gathering = gather(guardedSleep(log, "a", 1000), guardedSleep(log, "b", 1000));
      const waiter = createTask(
        (function* (): Coro<string> {
          try {
            yield* gathering;
            return "finished";
          } catch (error) {
            return (error as Error).name;
          }
        })(),
      );
      yield* sleep(10);
      expect(gathering.cancel()).toBe(true);
      expect(gathering.cancel()).toBe(true); // children still cancelling: asked again
      return yield* waiter;
    });
    expect(value).toBe("CancelledError");
    expect(log.entries).toEqual(["a:start", "b:start", "a:finally", "b:finally"]);
  });

  it("cancelling the task awaiting a gather cancels the gather's children", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* () {
      const parent = createTask(
        (function* () {
          yield* gather(guardedSleep(log, "a", 1000), guardedSleep(log, "b", 2000));
        })(),
      );
      yield* sleep(10);
      parent.cancel();
      try {
        yield* parent;
      } catch (error) {
        log.push(`parent ${(error as Error).name}`);
      }
    });
    expect(log.entries).toEqual(["a:start", "b:start", "a:finally", "b:finally", "parent CancelledError"]);
    expect(loop.time()).toBe(10);
  });

  it("with returnExceptions, a cancelled gather ends cancelled once every child has finished", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      function* slowToCancel(): Coro<void> {
        try {
          yield* sleep(1000);
        } finally {
          yield* sleep(5);
          log.push("slow child done cancelling");
        }
      }
      const gathering = gatherWith({ returnExceptions: true }, slowToCancel(), sleep(1000));
      yield* sleep(10);
      gathering.cancel();
      try {
        yield* gathering;
      } catch (error) {
        log.push(`gather ${(error as Error).name}`);
      }
      return gathering.cancelled();
    });
    expect(value).toBe(true);
    expect(log.entries).toEqual(["slow child done cancelling", "gather CancelledError"]);
  });

  it("cannot be cancelled once done", async () => {
    await runVirtual(function* () {
      const gathering = gather(sleep(1));
      yield* gathering;
      expect(gathering.cancel()).toBe(false);
    });
  });
});
