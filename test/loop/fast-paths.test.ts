/**
 * The loop's fast paths keep its rules: a sleep that is its own timer entry
 * wakes its task in the timer phase yet keeps the per-iteration snapshot and
 * deadline order; a Future that is its own iterator still refuses to be
 * iterated by anything but a task; the task list, the lazy names and the
 * side object for cancellation behave as the plain versions did.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  EventLoop,
  InvalidStateError,
  sleep,
  Task,
  type Coro,
  type Yieldable,
} from "../../src/loop/index.ts";
import { busyWait, Log, runVirtual, virtualLoop } from "./helpers.ts";

describe("sleep's own timer entry", () => {
  // Why the real clock and a 3 ms busy wait: each iteration must be run and
  // looked at on its own (runOnce), and only the driver moves the virtual clock.
  it("wakes the task in the iteration its deadline is due, in deadline order with callbacks", () => {
    const loop = new EventLoop();
    const log = new Log();
    loop.callAt(loop.time() + 1, log.cb("timer before"));
    loop.createTask(
      (function* (): Coro<void> {
        yield* sleep(1);
        log.push("sleeper");
      })(),
    );
    loop.runOnce(); // The first step arms the sleep.
    loop.callAt(loop.time() + 1, log.cb("timer after"));
    busyWait(3);
    expect(loop.runOnce()).toBe(3); // Two callbacks and the woken task's step, in one iteration.
    expect(log.entries).toEqual(["timer before", "sleeper", "timer after"]);
    loop.close();
  });

  it("keeps the snapshot: what the woken task schedules runs in the next iteration", () => {
    const loop = new EventLoop();
    const log = new Log();
    loop.createTask(
      (function* (): Coro<void> {
        yield* sleep(1);
        log.push("woken");
        loop.callSoon(log.cb("scheduled by the woken task"));
        createTask(
          (function* (): Coro<void> {
            log.push("child");
          })(),
        );
      })(),
    );
    loop.runOnce();
    busyWait(3);
    const perIteration: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const before = log.entries.length;
      loop.runOnce();
      perIteration.push(log.entries.slice(before));
    }
    expect(perIteration).toEqual([["woken"], ["scheduled by the woken task", "child"], []]);
    loop.close();
  });

  it("starts its clock at the first yield*, not when sleep() is called (it is a lazy coroutine)", async () => {
    const { value } = await runVirtual(function* (loop) {
      const nap = sleep(10); // Made before anything else happens, armed below.
      yield* sleep(50);
      const armedAt = loop.time();
      yield* nap;
      return { armedAt, wokeAt: loop.time() };
    });
    expect(value).toEqual({ armedAt: 50, wokeAt: 60 });
  });

  it("can be made outside a running loop, and run as a task's whole coroutine", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const nap = sleep(25); // No running loop yet: nothing is armed.
    const task = new Task(nap, { loop });
    await loop.runUntilComplete(task);
    expect(task.done() && !task.cancelled()).toBe(true);
    expect(loop.time()).toBe(25);
    loop.close();
  });

  it("leaves no live timer once its task is cancelled: the virtual clock never jumps to it", async () => {
    const { value, loop } = await runVirtual(function* (loop) {
      const sleepers = Array.from({ length: 200 }, (_, i) =>
        createTask(
          (function* (): Coro<string> {
            try {
              yield* sleep(1_000 + i);
              return "woke";
            } catch (error) {
              return error instanceof CancelledError ? "cancelled" : "other";
            }
          })(),
        ),
      );
      yield* sleep(1); // All are asleep now.
      for (const task of sleepers) task.cancel();
      const outcomes = new Set<string>();
      for (const task of sleepers) outcomes.add(yield* task);
      return { outcomes: [...outcomes], heldAfterCancel: loop.timerHeapLength() };
    });
    expect(value.outcomes).toEqual(["cancelled"]);
    expect(value.heldAfterCancel).toBeLessThan(200); // Compacted: most were cancelled.
    expect(loop.time()).toBe(1); // Never jumped to 1 000.
  });

  it("sleep(0) and negative delays give the turn back once, without a timer", async () => {
    const { value } = await runVirtual(function* (loop) {
      const log: string[] = [];
      const other = createTask(
        (function* (): Coro<void> {
          log.push("other");
        })(),
      );
      yield* sleep(0);
      yield* sleep(-5);
      yield* other;
      return { log, time: loop.time(), timers: loop.timerHeapLength() };
    });
    expect(value).toEqual({ log: ["other"], time: 0, timers: 0 });
  });
});

describe("a Future as its own iterator", () => {
  it("is what its [Symbol.iterator] returns: waiting on it makes no generator", () => {
    const { loop } = virtualLoop();
    const future = loop.createFuture<number>();
    expect(future[Symbol.iterator]()).toBe(future);
    loop.close();
  });

  it("throws InvalidStateError when something other than a task iterates it while pending (no endless loop)", () => {
    const { loop } = virtualLoop();
    const future = loop.createFuture<number>();
    expect(() => [...(future as Iterable<Yieldable>)]).toThrow(InvalidStateError);
    loop.close();
  });

  it("lets any number of tasks yield* it while pending, one after another", async () => {
    const { value } = await runVirtual(function* (loop) {
      const future = loop.createFuture<number>();
      const waiters = [1, 2, 3].map((k) =>
        createTask(
          (function* (): Coro<number> {
            return k * (yield* future);
          })(),
        ),
      );
      yield* sleep(1);
      future.setResult(7);
      const results: number[] = [];
      for (const waiter of waiters) results.push(yield* waiter);
      return results;
    });
    expect(value).toEqual([7, 14, 21]);
  });

  it("a done Future<void> and a done Future<number> both finish their yield* with their value", async () => {
    const { value } = await runVirtual(function* (loop) {
      const nothing = loop.createFuture<void>();
      const number = loop.createFuture<number>();
      nothing.setResult();
      number.setResult(3);
      const a = yield* nothing;
      const b = yield* number;
      return [a, b];
    });
    expect(value).toEqual([undefined, 3]);
  });
});

describe("tasks: the task list, names and cancel state", () => {
  it("allTasks() holds exactly the tasks not yet done, whatever order they finish in", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }), async (delays) => {
        const { value } = await runVirtual(function* (loop) {
          const tasks = delays.map((ms) => createTask(sleep(ms)));
          const mismatches: number[] = [];
          for (let t = 0; t <= 6; t++) {
            const alive = new Set(loop.allTasks());
            const expected = tasks.filter((task) => !task.done());
            if (alive.size !== expected.length + 1 || !expected.every((task) => alive.has(task))) mismatches.push(t);
            yield* sleep(1);
          }
          return { mismatches, left: loop.allTasks().length };
        });
        expect(value).toEqual({ mismatches: [], left: 1 }); // Only main is left.
      }),
      { numRuns: 30 },
    );
  });

  it("names a task Task-N once, keeps that name, and takes a new one when set", () => {
    const { loop } = virtualLoop();
    const a = loop.createTask(sleep(1));
    const b = loop.createTask(sleep(1));
    const first = a.name;
    expect(first).toMatch(/^Task-\d+$/);
    expect(a.name).toBe(first);
    expect(Number(b.name.slice(5))).toBe(Number(first.slice(5)) + 1);
    a.name = "renamed";
    expect(a.name).toBe("renamed");
    expect(String(a)).toBe("<Task renamed pending>");
    loop.close();
  });

  it("counts cancel requests only once some arrived, and uncancel() of a never-cancelled task is 0", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(sleep(10));
      const before = [task.cancelling(), task.uncancel()];
      task.cancel("one");
      task.cancel("two");
      const counted = task.cancelling();
      const outcome: string = yield* (function* (): Coro<string> {
        try {
          yield* task;
          return "finished";
        } catch (error) {
          return error instanceof CancelledError ? `cancelled: ${error.message}` : "other";
        }
      })();
      return { before, counted, outcome };
    });
    expect(value).toEqual({ before: [0, 0], counted: 2, outcome: "cancelled: two" });
  });

  it("drives a hand-written coroutine (not a generator) as well as a generator", async () => {
    const { value } = await runVirtual(function* () {
      let steps = 0;
      const handWritten: Coro<number> = {
        next: () => (++steps < 3 ? { value: undefined, done: false } : { value: steps, done: true }),
        throw: (error: unknown) => {
          throw error;
        },
        return: (v: number) => ({ value: v, done: true }),
        [Symbol.iterator]() {
          return this;
        },
        [Symbol.toStringTag]: "HandWritten",
      } as Coro<number>;
      return yield* createTask(handWritten);
    });
    expect(value).toBe(3);
  });
});
