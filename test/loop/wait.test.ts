import { describe, expect, it } from "vitest";
import {
  cancelAndWait,
  CancelledError,
  createTask,
  race,
  sleep,
  wait,
  type Coro,
} from "../../src/loop/index.ts";
import { guardedSleep, Log, runVirtual, sleepThen, sleepThenThrow } from "./helpers.ts";

describe("wait", () => {
  it('returnWhen "first" returns once one is done, the others still pending and still running', async () => {
    const log = new Log();
    const { value } = await runVirtual(function* (loop) {
      const a = createTask(sleepThen(log, 10, "a", "A"));
      const b = createTask(sleepThen(log, 30, "b", "B"));
      const { done, pending } = yield* wait([a, b], { returnWhen: "first" });
      const at = loop.time();
      const bResult = yield* b;
      return { done: [...done].map((f) => f.result()), pending: pending.has(b), at, bResult };
    });
    expect(value).toEqual({ done: ["A"], pending: true, at: 10, bResult: "B" });
    expect(log.entries).toEqual(["a", "b"]);
  });

  it('returnWhen "all" (the default) waits for every one and throws none of their errors', async () => {
    const boom = new Error("boom");
    const { value } = await runVirtual(function* (loop) {
      const { done, pending } = yield* wait<string>([sleepThen(new Log(), 5, "x", "ok"), sleepThenThrow(20, boom)]);
      return { at: loop.time(), done: done.size, pending: pending.size, errors: [...done].filter((f) => f.failed()).map((f) => f.exception()) };
    });
    expect(value).toEqual({ at: 20, done: 2, pending: 0, errors: [boom] });
  });

  it('returnWhen "firstException" returns at the first failure, not at the first success', async () => {
    const { value } = await runVirtual(function* (loop) {
      const { done, pending } = yield* wait<unknown>(
        [sleepThen(new Log(), 5, "x", 1), sleepThenThrow(10, new Error("e")), sleepThen(new Log(), 50, "y", 2)],
        { returnWhen: "firstException" },
      );
      return { at: loop.time(), done: done.size, pending: pending.size };
    });
    expect(value).toEqual({ at: 10, done: 2, pending: 1 });
  });

  it("timeoutMs returns what is done by then and cancels nothing", async () => {
    const { value } = await runVirtual(function* (loop) {
      const slow = createTask(sleepThen(new Log(), 100, "slow", "late"));
      const { done, pending } = yield* wait([slow], { timeoutMs: 10 });
      const at = loop.time();
      return { at, done: done.size, pending: pending.size, stillRuns: yield* slow };
    });
    expect(value).toEqual({ at: 10, done: 0, pending: 1, stillRuns: "late" });
  });

  it("counts futures already done: \"all\" with one done and one pending returns when the pending one is", async () => {
    const { value } = await runVirtual(function* (loop) {
      const done = loop.createFuture<number>();
      done.setResult(1);
      const later = createTask(sleepThen(new Log(), 10, "later", 2));
      const result = yield* wait<number>([done, later]);
      return { at: loop.time(), done: result.done.size, pending: result.pending.size };
    });
    expect(value).toEqual({ at: 10, done: 2, pending: 0 });
  });

  it("refuses an empty list rather than waiting forever", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield* wait([]);
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(value).toBeInstanceOf(RangeError);
  });
});

describe("race", () => {
  it("returns the first value, then cancels the losers and waits for their finally blocks", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const winner = yield* race(sleepThen(log, 10, "fast", 1), guardedSleep(log, "slow", 1_000));
      log.push("race returned");
      return winner;
    });
    expect(value).toBe(1);
    expect(log.entries).toEqual(["slow:start", "fast", "slow:finally", "race returned"]);
  });

  it("throws the first error, the losers cancelled", async () => {
    const log = new Log();
    const boom = new Error("first");
    const { value } = await runVirtual(function* () {
      try {
        yield* race(sleepThenThrow(5, boom), guardedSleep(log, "other", 100));
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(value).toBe(boom);
    expect(log.entries).toEqual(["other:start", "other:finally"]);
  });

  it("cancelling the race cancels every contender", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const racer = createTask(race(guardedSleep(log, "a", 100), guardedSleep(log, "b", 100)));
      yield* sleep(10);
      racer.cancel();
      try {
        yield* racer;
      } catch (error) {
        return error instanceof CancelledError;
      }
      return false;
    });
    expect(value).toBe(true);
    expect(log.entries.sort()).toEqual(["a:finally", "a:start", "b:finally", "b:start"]);
  });
});

describe("cancelAndWait", () => {
  it("cancels, waits until each finally has run, and returns only real failures", async () => {
    const log = new Log();
    const cleanupError = new Error("cleanup failed");
    function* failsOnCancel(): Coro<void> {
      try {
        yield* sleep(1_000);
      } finally {
        yield* sleep(5); // Cleanup that takes time: cancelAndWait must wait for it.
        log.push("failing cleanup done");
        throw cleanupError;
      }
    }
    const { value, reports } = await runVirtual(function* (loop) {
      const tasks = [createTask(guardedSleep(log, "plain", 1_000)), createTask(failsOnCancel())];
      yield* sleep(1);
      const errors = yield* cancelAndWait(tasks);
      return { errors, at: loop.time(), allDone: tasks.every((t) => t.done()) };
    });
    expect(value).toEqual({ errors: [cleanupError], at: 6, allDone: true });
    expect(log.entries).toEqual(["plain:start", "plain:finally", "failing cleanup done"]);
    expect(reports).toEqual([]); // The failure was returned, so not reported as never retrieved.
  });

  it("does nothing for tasks already done", async () => {
    const { value } = await runVirtual(function* () {
      const done = createTask(sleepThen(new Log(), 0, "x", 1));
      yield* done;
      return yield* cancelAndWait([done]);
    });
    expect(value).toEqual([]);
  });
});
