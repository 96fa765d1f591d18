/**
 * Regression tests for the defects of issue 15, each named after what broke.
 * Each of them failed before its fix.
 */
import { describe, expect, it } from "vitest";
import {
  createTask,
  EventLoop,
  gather,
  gatherWith,
  Queue,
  release,
  sleep,
  taskGroup,
  TaskGroupError,
  type Coro,
} from "../../src/loop/index.ts";
import { ReadyQueue, RUN, type Runnable } from "../../src/loop/ready-queue.ts";
import { forceGc } from "../net/helpers.ts";
import { recordingLoop, runVirtual } from "./helpers.ts";

describe("a failure is an outcome state, never a sentinel value", () => {
  it("regression: a child that does `throw undefined` failed runUntilComplete with 'the event loop stopped before the future completed'", async () => {
    const { value, reports } = await runVirtual(function* () {
      const child = createTask(
        (function* (): Coro<number> {
          yield* sleep(1);
          throw undefined;
        })(),
      );
      try {
        yield* child;
        return "no error";
      } catch (error) {
        return { caught: error, failed: child.failed() };
      }
    });
    expect(value).toEqual({ caught: undefined, failed: true });
    expect(reports).toEqual([]);
  });

  it("regression: `yield Promise.reject()` (rejected with undefined) escaped the task's step into the driver", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield Promise.reject();
        return "resumed normally";
      } catch (error) {
        return `caught ${String(error)}`;
      }
    });
    expect(value).toBe("caught undefined");
  });

  it("regression: a thenable whose then() throws escaped the task's step into the driver", async () => {
    const boom = new Error("then() threw");
    const { value } = await runVirtual(function* () {
      try {
        yield { then: () => { throw boom; } };
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(value).toBe(boom);
  });

  it("runUntilComplete rejects with undefined (not a loop error) when main throws undefined", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const outcome = loop.runUntilComplete(
      (function* (): Coro<void> {
        yield* sleep(1);
        throw undefined;
      })(),
    );
    await expect(outcome).rejects.toBeUndefined();
    loop.close();
  });

  it("regression: the driver took an internal error of `undefined` for a clean stop (#finishRun could not tell)", async () => {
    const loop = new EventLoop();
    // Not reachable from user code: a Runnable of ours that throws, as a bug would.
    loop.enqueue({ [RUN]: () => { throw undefined; } }, 0);
    await expect(loop.runForever()).rejects.toBeUndefined();
    loop.close();
  });

  it("gather fails on a child that threw undefined; with returnExceptions the slot holds undefined", async () => {
    function* throwsUndefined(): Coro<string> {
      yield* sleep(1);
      throw undefined;
    }
    function* slow(): Coro<string> {
      yield* sleep(5);
      return "slow";
    }
    const { value } = await runVirtual(function* () {
      let failedWith: unknown = "nothing";
      try {
        yield* gather(throwsUndefined(), slow());
      } catch (error) {
        failedWith = error;
      }
      const settled = yield* gatherWith({ returnExceptions: true }, throwsUndefined(), slow());
      return { failedWith, settled };
    });
    expect(value).toEqual({ failedWith: undefined, settled: [undefined, "slow"] });
  });

  it("a TaskGroup counts a child that threw undefined as failed and cancels its siblings", async () => {
    const { value } = await runVirtual(function* () {
      let siblingCancelled = false;
      try {
        yield* taskGroup(function* (group) {
          group.createTask(
            (function* () {
              yield* sleep(1);
              throw undefined;
            })(),
          );
          group.createTask(
            (function* () {
              try {
                yield* sleep(1_000);
              } finally {
                siblingCancelled = true;
              }
            })(),
          );
        });
        return "no error";
      } catch (error) {
        return { errors: (error as TaskGroupError).errors, siblingCancelled };
      }
    });
    expect(value).toEqual({ errors: [undefined], siblingCancelled: true });
  });
});

describe("eager starts never nest", () => {
  it("regression: a chain of 10 000 eager spawns overflowed the stack near depth 1 000 (each first step ran inside its creator's)", async () => {
    function* spawnChain(depth: number): Coro<number> {
      if (depth === 0) return 0;
      const child = createTask(spawnChain(depth - 1), { eager: true });
      return 1 + (yield* child);
    }
    const { value } = await runVirtual(function* () {
      const root = createTask(spawnChain(10_000), { eager: true });
      return yield* root;
    });
    expect(value).toBe(10_000);
  });

  it("an eager start requested during an eager first step still runs before the outer createTask returns", () => {
    const { loop } = recordingLoop();
    const log: string[] = [];
    loop.callSoon(() => {
      loop.createTask(
        (function* () {
          log.push("outer start");
          loop.createTask(
            (function* () {
              log.push("inner start");
              yield;
            })(),
            { eager: true },
          );
          log.push("outer after createTask");
          yield;
        })(),
        { eager: true },
      );
      log.push("created");
    });
    loop.runOnce();
    expect(log).toEqual(["outer start", "outer after createTask", "inner start", "created"]);
  });
});

describe("storage follows what is held, not what went through", () => {
  it("regression: a Queue(10) holding one item grew with every put/get (35 MB over 4 M)", async () => {
    const ROUNDS = 2_000_000; // The old array kept one 8-byte slot per item that went through: 16 MB.
    const { value } = await runVirtual(function* () {
      const queue = new Queue<number>(10);
      queue.putNowait(-1); // Never empties, so the old array's head never came back to 0.
      forceGc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < ROUNDS; i++) {
        queue.putNowait(i);
        queue.getNowait();
      }
      forceGc();
      const grown = process.memoryUsage().heapUsed - before;
      yield* release();
      return { grown, size: queue.size(), next: queue.getNowait() };
    });
    expect(value.size).toBe(1);
    expect(value.next).toBe(ROUNDS - 1);
    expect(value.grown).toBeLessThan(4 * 1024 * 1024);
  });

  it("regression: ReadyQueue.shift scanned every priority level ever used; idle levels are dropped", () => {
    const queue = new ReadyQueue();
    const item: Runnable = { [RUN]() {} };
    for (let priority = 1; priority <= 1_000; priority++) {
      queue.push(item, priority);
      queue.shift();
    }
    expect(queue.levels).toBeLessThanOrEqual(16);
    queue.push(item, 0);
    queue.push(item, 500);
    queue.push(item, -3);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()].filter(Boolean)).toHaveLength(3);
    expect(queue.size).toBe(0);
  });
});

