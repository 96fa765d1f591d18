import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  LoopStateError,
  sleep,
  TaskGroup,
  taskGroup,
  TaskGroupError,
  type Coro,
  type Task,
} from "../../src/loop/index.ts";
import { guardedSleep, Log, recordingLoop, runVirtual, sleepThen, sleepThenThrow } from "./helpers.ts";

describe("taskGroup", () => {
  it("waits for every child and returns the body's value", async () => {
    const log = new Log();
    const { value, loop } = await runVirtual(function* () {
      let pendingWhenBodyReturned = false;
      const out = yield* taskGroup(function* (g) {
        const a = g.createTask(sleepThen(log, 30, "a", 1));
        const b = g.createTask(sleepThen(log, 10, "b", 2));
        log.push("body done");
        pendingWhenBodyReturned = !a.done() && !b.done();
        return "body value";
      });
      log.push("group done");
      return { out, pendingWhenBodyReturned };
    });
    expect(log.entries).toEqual(["body done", "b", "a", "group done"]);
    expect(value).toEqual({ out: "body value", pendingWhenBodyReturned: true });
    expect(loop.time()).toBe(30);
  });

  it("lets the body await its children and spawn more while it runs", async () => {
    const { value } = await runVirtual(function* () {
      return yield* taskGroup(function* (g) {
        const first = g.createTask(sleepThen(new Log(), 5, "x", 20));
        const n = yield* first;
        const second = g.createTask(sleepThen(new Log(), 5, "y", n + 1));
        return (yield* second) * 2;
      });
    });
    expect(value).toBe(42);
  });

  it("when one child fails, cancels the others and the body, then throws TaskGroupError once all are done", async () => {
    const log = new Log();
    const failure = new Error("child failed");
    const { value, loop, reports } = await runVirtual(function* (loop) {
      try {
        yield* taskGroup(function* (g) {
          g.createTask(guardedSleep(log, "sibling", 1000));
          g.createTask(
            (function* (): Coro<void> {
              try {
                yield* sleep(1000);
              } finally {
                yield* sleep(5); // slow to cancel: the group must wait for it
                log.push(`slow sibling finally@${loop.time()}`);
              }
            })(),
          );
          g.createTask(sleepThenThrow(10, failure));
          try {
            yield* sleep(1000);
            log.push("body end (must not run)");
          } finally {
            log.push("body finally");
          }
        });
        return null;
      } catch (error) {
        log.push(`caught@${loop.time()}`);
        return error;
      }
    });
    expect(value).toBeInstanceOf(TaskGroupError);
    expect((value as TaskGroupError).errors).toEqual([failure]);
    expect((value as TaskGroupError).cause).toBe(failure);
    expect(log.entries).toEqual(["sibling:start", "sibling:finally", "body finally", "slow sibling finally@15", "caught@15"]);
    expect(loop.time()).toBe(15);
    expect(reports).toEqual([]);
  });

  it("collects every child that failed", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield* taskGroup(function* (g) {
          g.createTask(sleepThenThrow(10, new Error("one")));
          g.createTask(
            (function* (): Coro<void> {
              try {
                yield* sleep(1000);
              } finally {
                throw new Error("two, while cancelled");
              }
            })(),
          );
        });
      } catch (error) {
        return (error as TaskGroupError).errors.map((e) => (e as Error).message);
      }
      return null;
    });
    expect(value).toEqual(["one", "two, while cancelled"]);
  });

  it("when a child fails after the body returned, cancels the others", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      try {
        yield* taskGroup(function* (g) {
          g.createTask(guardedSleep(log, "long", 1000));
          g.createTask(sleepThenThrow(10, new Error("late failure")));
          log.push("body returns");
        });
      } catch (error) {
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(TaskGroupError);
    expect(log.entries).toEqual(["body returns", "long:start", "long:finally"]);
  });

  it("when the body throws, cancels the children and rethrows the body's error", async () => {
    const log = new Log();
    const bodyError = new Error("body failed");
    const { value } = await runVirtual(function* () {
      try {
        yield* taskGroup(function* (g): Coro<void> {
          g.createTask(guardedSleep(log, "child", 1000));
          yield* sleep(5);
          throw bodyError;
        });
      } catch (error) {
        return error;
      }
      return null;
    });
    expect(log.entries).toEqual(["child:start", "child:finally"]);
    expect(value).toBeInstanceOf(TaskGroupError);
    expect((value as TaskGroupError).errors).toEqual([bodyError]);
  });

  it("external cancellation of the parent cancels the children and re-raises CancelledError", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* () {
      const parent = createTask(
        taskGroup(function* (g) {
          g.createTask(guardedSleep(log, "a", 1000));
          g.createTask(guardedSleep(log, "b", 2000));
          yield* guardedSleep(log, "body", 3000);
        }),
      );
      yield* sleep(10);
      parent.cancel();
      try {
        yield* parent;
      } catch (error) {
        log.push(`parent:${(error as Error).name}`);
      }
      expect(parent.cancelled()).toBe(true);
    });
    expect(log.entries).toEqual([
      "body:start",
      "a:start",
      "b:start",
      "body:finally",
      "a:finally",
      "b:finally",
      "parent:CancelledError",
    ]);
    expect(loop.time()).toBe(10);
  });

  it("external cancellation while the group waits for its children cancels them and re-raises CancelledError", async () => {
    const log = new Log();
    let children: Task<void>[] = [];
    await runVirtual(function* () {
      const parent = createTask(
        taskGroup(function* (g) {
          children = [g.createTask(guardedSleep(log, "a", 1000)), g.createTask(guardedSleep(log, "b", 2000))];
          log.push("body returns");
        }),
      );
      yield* sleep(10);
      parent.cancel();
      try {
        yield* parent;
      } catch (error) {
        log.push(`parent:${(error as Error).name}`);
      }
    });
    expect(log.entries).toEqual(["body returns", "a:start", "b:start", "a:finally", "b:finally", "parent:CancelledError"]);
    expect(children.every((c) => c.cancelled())).toBe(true);
  });

  it("a child that finishes cancelled by itself does not fail the group", async () => {
    const { value } = await runVirtual(function* () {
      return yield* taskGroup(function* (g) {
        const child = g.createTask(sleep(1000));
        yield* sleep(1);
        child.cancel();
        g.createTask(sleep(5));
        return "fine";
      });
    });
    expect(value).toBe("fine");
  });

  it("refuses new tasks once it is shutting down after a failure", async () => {
    const { value } = await runVirtual(function* () {
      let refusal: unknown = null;
      try {
        yield* taskGroup(function* (g) {
          g.createTask(sleepThenThrow(1, new Error("fail")));
          try {
            yield* sleep(100);
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error;
            try {
              g.createTask(sleep(1));
            } catch (e) {
              refusal = e;
            }
            throw error;
          }
        });
      } catch {
        // the TaskGroupError
      }
      return refusal;
    });
    expect(value).toBeInstanceOf(LoopStateError);
  });

  it("must be created inside a task", () => {
    const { loop } = recordingLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        new TaskGroup();
      } catch (e) {
        error = e;
      }
    });
    loop.runOnce();
    expect(error).toBeInstanceOf(LoopStateError);
  });
});
