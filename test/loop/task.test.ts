import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  currentTask,
  EventLoop,
  fromPromise,
  InvalidStateError,
  release,
  sleep,
  Task,
  type Coro,
  type Future,
} from "../../src/loop/index.ts";
import { guardedSleep, Log, recordingLoop, runUntilIdle, runVirtual, virtualLoop } from "./helpers.ts";

function* logSteps(log: Log, label: string, steps: number): Coro<void> {
  for (let i = 0; i < steps; i++) {
    log.push(`${label}${i}`);
    yield;
  }
}

describe("Task basics", () => {
  it("resolves with its coroutine's return value", async () => {
    const { value } = await runVirtual(function* () {
      const child = createTask(
        (function* () {
          yield* sleep(5);
          return "child value";
        })(),
      );
      return yield* child;
    });
    expect(value).toBe("child value");
  });

  it("does not start before the loop runs it", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(logSteps(log, "a", 1));
    expect(log.entries).toEqual([]);
    loop.runOnce();
    expect(log.entries).toEqual(["a0"]);
  });

  it("an eager task runs its first step inside createTask when the loop is running", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.callSoon(() => {
      loop.createTask(logSteps(log, "eager", 2), { eager: true });
      log.push("created");
    });
    loop.runOnce();
    expect(log.entries).toEqual(["eager0", "created"]);
    loop.runOnce();
    expect(log.entries).toEqual(["eager0", "created", "eager1"]);
  });

  it("an eager task created outside the loop waits for it like any other", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(logSteps(log, "a", 1), { eager: true });
    expect(log.entries).toEqual([]);
    loop.runOnce();
    expect(log.entries).toEqual(["a0"]);
  });

  it("a bare yield gives the turn back: two tasks interleave", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    const a = loop.createTask(logSteps(log, "a", 3));
    const b = loop.createTask(logSteps(log, "b", 3));
    for (let i = 0; i < 5 && !(a.done() && b.done()); i++) loop.runOnce();
    expect(log.entries).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
    expect(a.done() && b.done()).toBe(true);
  });

  it("release() and sleep(0) give the turn back like a bare yield", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    loop.createTask(
      (function* () {
        log.push("a0");
        yield* release();
        log.push("a1");
        yield* sleep(0);
        log.push("a2");
      })(),
    );
    loop.createTask(logSteps(log, "b", 3));
    for (let i = 0; i < 4; i++) loop.runOnce();
    expect(log.entries).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
  });

  it("parks on a pending future and is woken when it is done", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    const future = loop.createFuture<string>();
    const task = loop.createTask(
      (function* () {
        log.push("waiting");
        log.push(`got ${yield* future}`);
      })(),
    );
    loop.runOnce();
    loop.runOnce();
    loop.runOnce();
    expect(log.entries).toEqual(["waiting"]); // parked: not run again
    future.setResult("it");
    loop.runOnce();
    expect(log.entries).toEqual(["waiting", "got it"]);
    expect(task.done()).toBe(true);
  });

  it("has a name and shows it", () => {
    const { loop } = recordingLoop();
    const task = loop.createTask(sleep(0), { name: "worker" });
    expect(task.name).toBe("worker");
    expect(String(task)).toBe("<Task worker pending>");
    expect(loop.createTask(sleep(0)).name).toMatch(/^Task-\d+$/);
  });

  it("refuses setResult and setException: its outcome comes from its coroutine", () => {
    const { loop } = recordingLoop();
    const task = loop.createTask(sleep(0));
    expect(() => task.setResult()).toThrow(InvalidStateError);
    expect(() => task.setException()).toThrow(InvalidStateError);
  });

  it("refuses something that is not a generator with a TypeError", () => {
    const { loop } = recordingLoop();
    expect(() => new Task((() => 1) as unknown as Coro<number>, { loop })).toThrow(TypeError);
  });

  it("fails with the error its coroutine throws", async () => {
    const error = new Error("child failed");
    const { value } = await runVirtual(function* () {
      const child = createTask(
        (function* (): Coro<void> {
          yield* sleep(1);
          throw error;
        })(),
      );
      try {
        yield* child;
      } catch (caught) {
        return caught;
      }
      return null;
    });
    expect(value).toBe(error);
  });
});

describe("Task cancellation", () => {
  it("throws CancelledError at the current yield* point, and finally runs", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* () {
      const child = createTask(guardedSleep(log, "child", 1000));
      yield* sleep(10);
      expect(child.cancel("stop it")).toBe(true);
      try {
        yield* child;
      } catch (error) {
        log.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
      expect(child.cancelled()).toBe(true);
    });
    expect(log.entries).toEqual(["child:start", "child:finally", "CancelledError: stop it"]);
    expect(loop.time()).toBe(10);
  });

  it("lets a task catch CancelledError and go on", async () => {
    const { value } = await runVirtual(function* () {
      const child = createTask(
        (function* () {
          try {
            yield* sleep(1000);
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error;
          }
          yield* sleep(5);
          return "carried on";
        })(),
      );
      yield* sleep(10);
      child.cancel();
      return yield* child;
    });
    expect(value).toBe("carried on");
  });

  it("returns false when cancelling a task that is done", async () => {
    await runVirtual(function* () {
      const child = createTask(sleep(1));
      yield* child;
      expect(child.cancel()).toBe(false);
      expect(child.cancelled()).toBe(false);
    });
  });

  it("cancels a task that never started without running its body", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const child = createTask(logSteps(log, "never", 1));
      child.cancel();
      try {
        yield* child;
      } catch (error) {
        log.push((error as Error).name);
      }
    });
    expect(log.entries).toEqual(["CancelledError"]);
  });

  it("cancels a task waiting on the ready queue after a bare yield", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    const task = loop.createTask(
      (function* () {
        try {
          for (;;) yield;
        } finally {
          log.push("finally");
        }
      })(),
    );
    loop.runOnce();
    task.cancel();
    loop.runOnce();
    expect(log.entries).toEqual(["finally"]);
    expect(task.cancelled()).toBe(true);
  });

  it("a task that cancels itself gets CancelledError at its next suspension point", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const child = createTask(
        (function* () {
          currentTask()!.cancel();
          log.push("still running this step");
          try {
            yield* sleep(100);
            log.push("slept");
          } catch (error) {
            log.push((error as Error).name);
            throw error;
          }
        })(),
      );
      try {
        yield* child;
      } catch {
        log.push("child cancelled");
      }
    });
    expect(log.entries).toEqual(["still running this step", "CancelledError", "child cancelled"]);
  });

  it("cancelling a task that awaits another task cancels the inner one", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const inner = createTask(guardedSleep(log, "inner", 1000));
      const outer = createTask(
        (function* () {
          try {
            yield* inner;
          } finally {
            log.push("outer:finally");
          }
        })(),
      );
      yield* sleep(10);
      outer.cancel();
      try {
        yield* outer;
      } catch (error) {
        log.push(`outer:${(error as Error).name}`);
      }
      expect(inner.cancelled()).toBe(true);
    });
    expect(log.entries).toEqual(["inner:start", "inner:finally", "outer:finally", "outer:CancelledError"]);
  });

  it("regression: a parent cancelled while its yield* child's finally yields does not run its next line", async () => {
    // The Effection bug STYLE.md warns about: cancelling with gen.return()
    // lets the parent carry on after `yield* child()` when the child's
    // finally yields. Throwing CancelledError must stop the parent.
    const log = new Log();
    function* child(): Coro<void> {
      try {
        log.push("child:sleeping");
        yield* sleep(1000);
      } finally {
        log.push("child:finally:before");
        yield* sleep(0);
        log.push("child:finally:after");
      }
    }
    function* parent(): Coro<void> {
      yield* child();
      log.push("parent:NEXT LINE (must not run)");
      yield* sleep(1);
      log.push("parent:still going (must not run)");
    }
    const { loop } = await runVirtual(function* () {
      const task = createTask(parent());
      yield* sleep(10);
      task.cancel();
      try {
        yield* task;
        log.push("main:task returned (must not happen)");
      } catch (error) {
        log.push(`main:${(error as Error).name}`);
      }
      expect(task.cancelled()).toBe(true);
    });
    expect(log.entries).toEqual(["child:sleeping", "child:finally:before", "child:finally:after", "main:CancelledError"]);
    expect(loop.time()).toBe(10);
  });

  it("regression: a second cancel while the finally yields does not let the parent carry on either", async () => {
    const log = new Log();
    function* child(): Coro<void> {
      try {
        yield* sleep(1000);
      } finally {
        log.push("child:finally:before");
        yield* sleep(5);
        log.push("child:finally:after (must not run)");
      }
    }
    await runVirtual(function* () {
      const task = createTask(
        (function* () {
          yield* child();
          log.push("parent:NEXT LINE (must not run)");
        })(),
      );
      yield* sleep(10);
      task.cancel();
      yield* sleep(1); // the task is now sleeping in its finally
      task.cancel();
      try {
        yield* task;
      } catch (error) {
        log.push(`main:${(error as Error).name}`);
      }
    });
    expect(log.entries).toEqual(["child:finally:before", "main:CancelledError"]);
  });

  it("a cancelled task leaves nothing behind: its sleep timer is cancelled", async () => {
    const { loop } = virtualLoop();
    await loop.runUntilComplete(
      (function* () {
        const sleeper = createTask(sleep(3_600_000));
        yield* sleep(10);
        sleeper.cancel();
        try {
          yield* sleeper;
        } catch {
          // cancelled, as asked
        }
      })(),
    );
    await runUntilIdle(loop);
    // A leaked timer would let the virtual clock jump to one hour.
    expect(loop.time()).toBe(10);
    loop.close();
  });
});

describe("what a task may yield", () => {
  it("a native Promise: the task gets its value", async () => {
    const { value } = await runVirtual(function* () {
      const v = yield Promise.resolve(5);
      return v;
    });
    expect(value).toBe(5);
  });

  it("a native Promise that rejects: the error is thrown in the coroutine", async () => {
    const error = new Error("rejected");
    const { value, reports } = await runVirtual(function* () {
      try {
        yield Promise.reject(error);
      } catch (caught) {
        return caught;
      }
      return null;
    });
    expect(value).toBe(error);
    expect(reports).toEqual([]);
  });

  it("yield* fromPromise(p) returns the value, typed", async () => {
    const { value } = await runVirtual(function* () {
      const s: string = yield* fromPromise(Promise.resolve("typed"));
      return s.toUpperCase();
    });
    expect(value).toBe("TYPED");
  });

  it("the virtual clock does not jump past a Promise still pending", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* (loop) {
      const timer = createTask(
        (function* () {
          yield* sleep(1000);
          log.push(`timer@${loop.time()}`);
        })(),
      );
      yield new Promise((resolve) => setTimeout(resolve, 10));
      log.push(`promise@${loop.time()}`);
      yield* timer;
    });
    expect(log.entries).toEqual(["promise@0", "timer@1000"]);
    expect(loop.time()).toBe(1000);
  });

  it("regression: a task cancelled while awaiting a Promise that never settles froze the virtual clock", async () => {
    // The bridge counted the Promise as "may wake the loop" until it settled,
    // even after the waiting task was cancelled: the clock never jumped again.
    const { loop } = virtualLoop();
    const guard = setTimeout(() => loop.stop(), 1000); // turns the hang into a failure
    try {
      const done = loop.runUntilComplete(
        (function* () {
          const waiter = createTask(
            (function* () {
              yield new Promise<never>(() => {});
            })(),
          );
          yield* sleep(0); // the waiter parks on the Promise
          waiter.cancel();
          try {
            yield* waiter;
          } catch {
            // cancelled, as asked
          }
          yield* sleep(10);
          return loop.time();
        })(),
      );
      await expect(done).resolves.toBe(10);
    } finally {
      clearTimeout(guard);
      loop.close();
    }
  });

  it("a number: TypeError thrown back into the coroutine, which may catch it", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield 42 as unknown as undefined;
      } catch (error) {
        yield* sleep(1); // still a live coroutine
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(TypeError);
    expect((value as Error).message).toMatch(/number 42/);
  });

  it("a generator (a forgotten *): TypeError that says so", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield sleep(1) as unknown as undefined;
      } catch (error) {
        return error;
      }
      return null;
    });
    expect(value).toBeInstanceOf(TypeError);
    expect((value as Error).message).toMatch(/forget the \* in yield\*/);
  });

  it("an uncaught TypeError fails the task", async () => {
    const { loop } = virtualLoop();
    await expect(
      loop.runUntilComplete(
        (function* () {
          yield "oops" as unknown as undefined;
        })(),
      ),
    ).rejects.toThrow(TypeError);
  });

  it("a bare Future (not yield*) parks the task and resumes it with the value", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      loop.callLater(3, () => future.setResult(9));
      return yield future;
    });
    expect(value).toBe(9);
  });
});

describe("stack depth", () => {
  it("awaiting 100 000 already-done futures in a row does not overflow the stack", async () => {
    const { value } = await runVirtual(function* (loop) {
      let sum = 0;
      for (let i = 0; i < 100_000; i++) {
        const future = loop.createFuture<number>();
        future.setResult(1);
        sum += (yield future) as number; // through the task's step loop
        sum += yield* future; // through the future's own iterator
      }
      return sum;
    });
    expect(value).toBe(200_000);
  });

  it("a chain of 100 000 tasks each awaiting the previous does not overflow the stack", async () => {
    const { value } = await runVirtual(function* () {
      function* next(previous: Future<number>): Coro<number> {
        return (yield* previous) + 1;
      }
      let last: Task<number> = createTask(
        (function* () {
          yield* sleep(1);
          return 0;
        })(),
      );
      for (let i = 0; i < 100_000; i++) last = createTask(next(last));
      return yield* last;
    });
    expect(value).toBe(100_000);
  });

  it("regression: cancelling the end of a chain of 100 000 tasks each awaiting the previous overflowed the stack (Task.cancel recursed)", async () => {
    const { value, reports } = await runVirtual(function* () {
      function* next(previous: Future<number>): Coro<number> {
        return (yield* previous) + 1;
      }
      const first = createTask(
        (function* () {
          yield* sleep(1000);
          return 0;
        })(),
      );
      let last: Task<number> = first;
      for (let i = 0; i < 100_000; i++) last = createTask(next(last));
      yield* sleep(10); // every task of the chain is now parked on the previous one
      last.cancel();
      try {
        yield* last;
      } catch (error) {
        return [(error as Error).name, first.cancelled()];
      }
      return null;
    });
    expect(value).toEqual(["CancelledError", true]);
    expect(reports).toEqual([]);
  });
});

describe("errors never retrieved", () => {
  it("are reported exactly once, at loop.close()", async () => {
    const { loop, reports } = virtualLoop();
    const error = new Error("nobody looked");
    const failing = loop.createTask(
      (function* (): Coro<void> {
        yield* sleep(1);
        throw error;
      })(),
      { name: "forgotten" },
    );
    await loop.runUntilComplete(sleep(10));
    expect(failing.done()).toBe(true);
    expect(reports).toEqual([]);
    loop.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.exception).toBe(error);
    expect(reports[0]!.message).toMatch(/forgotten.*never retrieved/);
    loop.close();
    expect(reports).toHaveLength(1);
  });

  it("are not reported when awaited", async () => {
    const { reports } = await runVirtual(function* () {
      const failing = createTask(
        (function* (): Coro<void> {
          yield* sleep(1);
          throw new Error("seen");
        })(),
      );
      yield* sleep(5);
      try {
        yield* failing;
      } catch {
        // retrieved
      }
    });
    expect(reports).toEqual([]);
  });

  it("are not reported when read with exception()", async () => {
    const { loop, reports } = virtualLoop();
    const failing = loop.createTask(
      (function* (): Coro<void> {
        throw new Error("read");
      })(),
    );
    await loop.runUntilComplete(sleep(1));
    expect(failing.exception()).toBeInstanceOf(Error);
    loop.close();
    expect(reports).toEqual([]);
  });

  it("are reported for a plain future failed and forgotten", () => {
    const loop = new EventLoop();
    const reports: unknown[] = [];
    loop.setExceptionHandler((context) => reports.push(context.exception));
    const future = loop.createFuture<number>();
    const error = new Error("plain");
    future.setException(error);
    loop.close();
    expect(reports).toEqual([error]);
  });

  it("a cancelled task is not an error to report", async () => {
    const { loop, reports } = virtualLoop();
    const task = loop.createTask(sleep(100));
    loop.callLater(1, () => task.cancel());
    await loop.runUntilComplete(sleep(5));
    expect(task.cancelled()).toBe(true);
    loop.close();
    expect(reports).toEqual([]);
  });
});

describe("priorities on a task", () => {
  it("defaults to 0 and can be set at creation", () => {
    const { loop } = recordingLoop();
    expect(loop.createTask(sleep(0)).priority).toBe(0);
    expect(loop.createTask(sleep(0), { priority: -3 }).priority).toBe(-3);
  });
});

describe("cancelling a task parked on a bare yield (no yield*)", () => {
  it("throws CancelledError at `yield future`, not a resumption with undefined", async () => {
    const { value } = await runVirtual(function* (loop) {
      const never = loop.createFuture<number>();
      const task = createTask(
        (function* () {
          try {
            const got: unknown = yield never;
            return `resumed with ${String(got)}`;
          } catch (error) {
            return error instanceof CancelledError ? "CancelledError" : "other";
          }
        })(),
      );
      yield* sleep(1);
      task.cancel();
      return yield* task;
    });
    expect(value).toBe("CancelledError");
  });

  it("throws CancelledError at `yield promise`", async () => {
    const { loop } = recordingLoop(); // Real clock: the pending Promise would keep a virtual one still.
    const value = await loop.runUntilComplete(
      (function* () {
        const task = createTask(
          (function* () {
            try {
              const got: unknown = yield new Promise<number>(() => {});
              return `resumed with ${String(got)}`;
            } catch (error) {
              return error instanceof CancelledError ? "CancelledError" : "other";
            }
          })(),
        );
        yield* sleep(1);
        task.cancel();
        return yield* task;
      })(),
    );
    loop.close();
    expect(value).toBe("CancelledError");
  });
});
