import { describe, expect, it, vi } from "vitest";
import {
  CancelledError,
  createTask,
  Future,
  InvalidStateError,
  isFuture,
  LoopStateError,
  sleep,
} from "../../src/loop/index.ts";
import { Log, recordingLoop, runVirtual } from "./helpers.ts";

describe("Future states", () => {
  it("starts pending: result() and exception() throw InvalidStateError", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    expect(future.done()).toBe(false);
    expect(future.cancelled()).toBe(false);
    expect(() => future.result()).toThrow(InvalidStateError);
    expect(() => future.exception()).toThrow(InvalidStateError);
    expect(String(future)).toBe("<Future pending>");
  });

  it("holds a value once setResult is called, and cannot be set again", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    future.setResult(42);
    expect(future.done()).toBe(true);
    expect(future.cancelled()).toBe(false);
    expect(future.result()).toBe(42);
    expect(future.exception()).toBeUndefined();
    expect(() => future.setResult(1)).toThrow(InvalidStateError);
    expect(() => future.setException(new Error("late"))).toThrow(InvalidStateError);
    expect(future.cancel()).toBe(false);
    expect(future.result()).toBe(42);
  });

  it("holds an error once setException is called: result() throws it, exception() returns it", () => {
    const { loop, reports } = recordingLoop();
    const future = loop.createFuture<number>();
    const error = new RangeError("bad");
    future.setException(error);
    expect(future.done()).toBe(true);
    expect(() => future.result()).toThrow(error);
    expect(future.exception()).toBe(error);
    expect(() => future.setResult(1)).toThrow(InvalidStateError);
    expect(String(future)).toBe("<Future failed>");
    loop.close();
    expect(reports).toEqual([]); // it was retrieved
  });

  it("can be cancelled once: result() and exception() then throw CancelledError with the message", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    expect(future.cancel("no longer needed")).toBe(true);
    expect(future.cancelled()).toBe(true);
    expect(future.done()).toBe(true);
    expect(() => future.result()).toThrow(CancelledError);
    expect(() => future.result()).toThrow("no longer needed");
    expect(() => future.exception()).toThrow(CancelledError);
    expect(future.cancel()).toBe(false);
    expect(() => future.setResult(1)).toThrow(InvalidStateError);
  });

  it("needs a loop: created outside a running loop without one, it throws LoopStateError", () => {
    expect(() => new Future<number>()).toThrow(LoopStateError);
  });

  it("is recognised by isFuture, and plain values are not", () => {
    const { loop } = recordingLoop();
    expect(isFuture(loop.createFuture())).toBe(true);
    expect(isFuture(Promise.resolve(1))).toBe(false);
    expect(isFuture({})).toBe(false);
    expect(isFuture(null)).toBe(false);
    expect(isFuture(42)).toBe(false);
  });
});

describe("Future done callbacks", () => {
  it("are never called synchronously: they run in the loop's next iteration, in order", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    const log = new Log();
    future.addDoneCallback((f) => log.push(`first ${f.result()}`));
    future.addDoneCallback((f) => log.push(`second ${f.result()}`));
    future.setResult(7);
    expect(log.entries).toEqual([]);
    loop.runOnce();
    expect(log.entries).toEqual(["first 7", "second 7"]);
  });

  it("are scheduled, not called, when added to a future already done", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<string>();
    future.setResult("x");
    const callback = vi.fn();
    future.addDoneCallback(callback);
    expect(callback).not.toHaveBeenCalled();
    loop.runOnce();
    expect(callback).toHaveBeenCalledOnce();
    expect(callback.mock.calls[0]![0]).toBe(future); // by identity: toEqual would iterate the future
  });

  it("run on cancellation too", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<string>();
    const callback = vi.fn();
    future.addDoneCallback(callback);
    future.cancel();
    loop.runOnce();
    expect(callback).toHaveBeenCalledOnce();
    expect(callback.mock.calls[0]![0]).toBe(future); // by identity: toEqual would iterate the future
  });

  it("removeDoneCallback removes every registration of the callback and says how many", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    const removed = vi.fn();
    const kept = vi.fn();
    future.addDoneCallback(removed);
    future.addDoneCallback(kept);
    future.addDoneCallback(removed);
    expect(future.removeDoneCallback(removed)).toBe(2);
    expect(future.removeDoneCallback(removed)).toBe(0);
    future.setResult(1);
    loop.runOnce();
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledOnce();
  });

  it("a callback added after the only one was removed still runs", () => {
    const { loop } = recordingLoop();
    const future = loop.createFuture<number>();
    const first = vi.fn();
    const second = vi.fn();
    future.addDoneCallback(first);
    future.removeDoneCallback(first);
    future.addDoneCallback(second);
    future.setResult(1);
    loop.runOnce();
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();
  });
});

describe("yield* future", () => {
  it("returns the value once the future is done", async () => {
    const { value, loop } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      loop.callLater(25, () => future.setResult(42));
      const n: number = yield* future;
      return n + 1;
    });
    expect(value).toBe(43);
    expect(loop.time()).toBe(25);
  });

  it("throws the future's error in the awaiting frame, where it can be caught", async () => {
    const error = new Error("from the future");
    const { value, reports } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      loop.callLater(5, () => future.setException(error));
      try {
        yield* future;
        return "not thrown";
      } catch (caught) {
        return caught;
      }
    });
    expect(value).toBe(error);
    expect(reports).toEqual([]);
  });

  it("throws CancelledError in the awaiting frame when the future is cancelled", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      loop.callLater(5, () => future.cancel("gone"));
      try {
        yield* future;
        return "not thrown";
      } catch (caught) {
        return caught;
      }
    });
    expect(value).toBeInstanceOf(CancelledError);
    expect((value as Error).message).toBe("gone");
  });

  it("does not give the turn back when the future is already done", async () => {
    const log = new Log();
    await runVirtual(function* (loop) {
      const done = loop.createFuture<number>();
      done.setResult(1);
      createTask(
        (function* () {
          log.push("other task");
        })(),
      );
      yield; // let the other task be created and scheduled behind us
      log.push("before");
      createTask(
        (function* () {
          log.push("a task scheduled meanwhile");
        })(),
      );
      yield* done; // Giving the turn back here would let that task run first.
      log.push("after, same step");
      yield* sleep(0);
      log.push("after release");
    });
    expect(log.entries).toEqual(["other task", "before", "after, same step", "a task scheduled meanwhile", "after release"]);
  });

  it("wakes every task waiting on the same future", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<string>();
      const waiters = [1, 2, 3].map((i) =>
        createTask(
          (function* () {
            return `${i}:${yield* future}`;
          })(),
        ),
      );
      yield* sleep(10);
      future.setResult("go");
      const out: string[] = [];
      for (const w of waiters) out.push(yield* w);
      return out;
    });
    expect(value).toEqual(["1:go", "2:go", "3:go"]);
  });
});
