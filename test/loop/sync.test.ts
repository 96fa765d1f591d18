import { describe, expect, it } from "vitest";
import {
  BoundedSemaphore,
  createTask,
  Event,
  fromPromise,
  InvalidStateError,
  Lock,
  Queue,
  QueueEmpty,
  QueueFull,
  Semaphore,
  sleep,
  type Coro,
  type Task,
} from "../../src/loop/index.ts";
import { Log, recordingLoop, runVirtual } from "./helpers.ts";

/** A task that logs when it acquires `lock`, holds it `holdMs`, then releases it. */
function* holder(log: Log, lock: Semaphore, label: string, holdMs: number): Coro<void> {
  yield* lock.acquire();
  log.push(`${label} acquired`);
  try {
    yield* sleep(holdMs);
  } finally {
    lock.release();
  }
}

describe("Event", () => {
  it("wakes every waiter, FIFO, when set; wait() returns at once while set", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const event = new Event();
      expect(event.isSet()).toBe(false);
      for (const name of ["a", "b", "c"]) {
        createTask(
          (function* () {
            yield* event.wait();
            log.push(name);
          })(),
        );
      }
      yield* sleep(10);
      expect(log.entries).toEqual([]);
      event.set();
      expect(event.isSet()).toBe(true);
      yield* sleep(1);
      yield* event.wait(); // set: no wait
      log.push("main");
      event.clear();
      expect(event.isSet()).toBe(false);
    });
    expect(log.entries).toEqual(["a", "b", "c", "main"]);
  });

  it("a cancelled waiter does not stop the others from waking", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const event = new Event();
      const waiters = ["a", "b", "c"].map((name) =>
        createTask(
          (function* () {
            yield* event.wait();
            log.push(name);
          })(),
        ),
      );
      yield* sleep(1);
      waiters[1]!.cancel();
      yield* sleep(1);
      event.set();
      yield* sleep(1);
    });
    expect(log.entries).toEqual(["a", "c"]);
  });
});

describe("Lock", () => {
  it("gives the lock to waiters in FIFO order", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const lock = new Lock();
      const tasks = ["a", "b", "c", "d"].map((name) => createTask(holder(log, lock, name, 10)));
      for (const task of tasks) yield* task;
      expect(lock.locked()).toBe(false);
    });
    expect(log.entries).toEqual(["a acquired", "b acquired", "c acquired", "d acquired"]);
  });

  it("release() of an unlocked Lock throws InvalidStateError", () => {
    expect(() => new Lock().release()).toThrow(InvalidStateError);
  });

  it("hold() runs the body holding the lock and releases it, even on error", async () => {
    const { value } = await runVirtual(function* () {
      const lock = new Lock();
      const inside = yield* lock.hold(function* () {
        return lock.locked();
      });
      try {
        yield* lock.hold(function* (): Coro<void> {
          throw new Error("inside");
        });
      } catch {
        // expected
      }
      return [inside, lock.locked()];
    });
    expect(value).toEqual([true, false]);
  });

  it("a waiter woken then cancelled before it runs passes the lock on", () => {
    const { loop } = recordingLoop();
    const log = new Log();
    const lock = new Lock();
    const tasks: Task<void>[] = [];
    loop.createTask(
      (function* () {
        yield* lock.acquire();
        log.push("a acquired");
        yield* sleep(0);
        yield* sleep(0);
        lock.release(); // wakes b ...
        tasks[0]!.cancel(); // ... which is cancelled before it runs
      })(),
    );
    tasks.push(loop.createTask(holder(log, lock, "b", 0)));
    tasks.push(loop.createTask(holder(log, lock, "c", 0)));
    for (let i = 0; i < 10; i++) loop.runOnce();
    expect(tasks[0]!.cancelled()).toBe(true);
    expect(log.entries).toEqual(["a acquired", "c acquired"]);
    expect(lock.locked()).toBe(false);
  });

  it("regression: a cancelled waiter dropped by a wake-up no longer removes the last waiter from the queue", async () => {
    // park() removed a cancelled waiter with queue.splice(queue.indexOf(f), 1).
    // When a release had already shifted that cancelled future out, indexOf
    // was -1 and splice(-1, 1) dropped the LAST waiter, which then waited forever.
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const b = createTask(holder(log, lock, "b", 1));
      const c = createTask(holder(log, lock, "c", 1));
      const d = createTask(holder(log, lock, "d", 1));
      yield* sleep(1); // b, c, d wait, in that order
      b.cancel(); // b's future is cancelled; b has not run its clean-up yet
      lock.release(); // shifts b's cancelled future out and wakes c
      yield* sleep(10);
      return [c.done(), d.done(), lock.locked()];
    });
    expect(log.entries).toEqual(["c acquired", "d acquired"]);
    expect(value).toEqual([true, true, false]);
  });
});

describe("Semaphore", () => {
  it("lets `value` tasks in at once and the rest FIFO", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* (loop) {
      const semaphore = new Semaphore(2);
      const tasks = ["a", "b", "c", "d", "e"].map((name) =>
        createTask(
          (function* () {
            yield* semaphore.acquire();
            log.push(`${name}@${loop.time()}`);
            try {
              yield* sleep(10);
            } finally {
              semaphore.release();
            }
          })(),
        ),
      );
      for (const task of tasks) yield* task;
      expect(semaphore.value).toBe(2);
    });
    expect(log.entries).toEqual(["a@0", "b@0", "c@10", "d@10", "e@20"]);
    expect(loop.time()).toBe(30);
  });

  it("hands a released permit to the oldest waiter, not to a newcomer (no barging)", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const semaphore = new Semaphore(1);
      yield* semaphore.acquire();
      createTask(holder(log, semaphore, "waiter", 1));
      yield* sleep(1);
      semaphore.release();
      expect(semaphore.value).toBe(0); // given to the waiter, not put back
      createTask(holder(log, semaphore, "newcomer", 1));
      yield* sleep(10);
    });
    expect(log.entries).toEqual(["waiter acquired", "newcomer acquired"]);
  });

  it("refuses a negative or fractional value", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

describe("Queue", () => {
  it("gets items FIFO, waiting while empty", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const queue = new Queue<number>();
      const consumer = createTask(
        (function* () {
          const got: number[] = [];
          for (let i = 0; i < 3; i++) {
            got.push(yield* queue.get());
            log.push(`got ${got.at(-1)}`);
          }
          return got;
        })(),
      );
      yield* sleep(5);
      log.push("putting");
      yield* queue.put(1);
      queue.putNowait(2);
      queue.putNowait(3);
      return yield* consumer;
    });
    expect(value).toEqual([1, 2, 3]);
    expect(log.entries).toEqual(["putting", "got 1", "got 2", "got 3"]);
  });

  it("bounded: put waits while the queue is full", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* (loop) {
      const queue = new Queue<string>(2);
      const producer = createTask(
        (function* () {
          for (const item of ["a", "b", "c", "d"]) {
            yield* queue.put(item);
            log.push(`put ${item}@${loop.time()}`);
          }
        })(),
      );
      yield* sleep(10);
      expect(queue.full()).toBe(true);
      expect(queue.size()).toBe(2);
      log.push(`get ${yield* queue.get()}@${loop.time()}`);
      yield* sleep(10);
      log.push(`get ${yield* queue.get()}@${loop.time()}`);
      yield* producer;
    });
    expect(log.entries).toEqual(["put a@0", "put b@0", "get a@10", "put c@10", "get b@20", "put d@20"]);
    expect(loop.time()).toBe(20);
  });

  it("putNowait on a full queue throws QueueFull; getNowait on an empty one throws QueueEmpty", () => {
    const queue = new Queue<number>(1);
    expect(queue.empty()).toBe(true);
    expect(() => queue.getNowait()).toThrow(QueueEmpty);
    queue.putNowait(1);
    expect(() => queue.putNowait(2)).toThrow(QueueFull);
    expect(queue.getNowait()).toBe(1);
    expect(queue.empty()).toBe(true);
  });

  it("an unbounded queue is never full", () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 1000; i++) queue.putNowait(i);
    expect(queue.full()).toBe(false);
    expect(queue.size()).toBe(1000);
  });

  it("wakes waiting getters FIFO", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const queue = new Queue<string>();
      const getters = ["a", "b", "c"].map((name) =>
        createTask(
          (function* () {
            log.push(`${name} got ${yield* queue.get()}`);
          })(),
        ),
      );
      yield* sleep(1);
      for (const item of ["1", "2", "3"]) queue.putNowait(item);
      for (const g of getters) yield* g;
    });
    expect(log.entries).toEqual(["a got 1", "b got 2", "c got 3"]);
  });

  it("a getter woken then cancelled before it runs passes the item on", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const queue = new Queue<string>();
      const getters = ["a", "b"].map((name) =>
        createTask(
          (function* () {
            log.push(`${name} got ${yield* queue.get()}`);
          })(),
        ),
      );
      yield* sleep(1);
      queue.putNowait("item"); // wakes a ...
      getters[0]!.cancel(); // ... which is cancelled before it runs
      yield* sleep(1);
    });
    expect(log.entries).toEqual(["b got item"]);
  });

  it("a putter woken then cancelled before it runs passes the free slot on", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const queue = new Queue<string>(1);
      queue.putNowait("first");
      const putters = ["a", "b"].map((name) =>
        createTask(
          (function* () {
            yield* queue.put(name);
            log.push(`${name} put`);
          })(),
        ),
      );
      yield* sleep(1);
      queue.getNowait(); // frees a slot: wakes a ...
      putters[0]!.cancel(); // ... which is cancelled before it runs
      yield* sleep(1);
      return queue.getNowait();
    });
    expect(log.entries).toEqual(["b put"]);
    expect(value).toBe("b");
  });

  it("join() waits until every item is marked done with taskDone()", async () => {
    const log = new Log();
    const { loop } = await runVirtual(function* (loop) {
      const queue = new Queue<number>();
      yield* queue.join(); // nothing put: returns at once
      for (const n of [10, 20, 30]) queue.putNowait(n);
      createTask(
        (function* () {
          for (;;) {
            const n = yield* queue.get();
            yield* sleep(n);
            log.push(`done ${n}`);
            queue.taskDone();
          }
        })(),
      );
      yield* queue.join();
      log.push(`joined@${loop.time()}`);
    });
    expect(log.entries).toEqual(["done 10", "done 20", "done 30", "joined@60"]);
    expect(loop.time()).toBe(60);
  });

  it("taskDone() more times than items throws InvalidStateError", () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    queue.getNowait();
    queue.taskDone();
    expect(() => queue.taskDone()).toThrow(InvalidStateError);
  });
});

describe("asyncio parity: locked(), isSet(), BoundedSemaphore, fromPromise as a Future", () => {
  it("Semaphore.locked() is true while no permit is free, and while others already wait", async () => {
    const { value } = await runVirtual(function* () {
      const slots = new Semaphore(1);
      const states = [slots.locked()];
      yield* slots.acquire();
      states.push(slots.locked());
      const waiter = createTask(slots.hold(() => sleep(1)));
      yield* sleep(0);
      slots.release(); // The permit goes to the waiter: still locked for a newcomer.
      states.push(slots.locked());
      yield* waiter;
      states.push(slots.locked());
      return states;
    });
    expect(value).toEqual([false, true, true, false]);
  });

  it("Lock.locked() and Event.isSet() follow acquire/release and set/clear", async () => {
    const { value } = await runVirtual(function* () {
      const lock = new Lock();
      const event = new Event();
      const seen = [lock.locked(), event.isSet()];
      yield* lock.acquire();
      event.set();
      seen.push(lock.locked(), event.isSet());
      lock.release();
      event.clear();
      seen.push(lock.locked(), event.isSet());
      return seen;
    });
    expect(value).toEqual([false, false, true, true, false, false]);
  });

  it("BoundedSemaphore: a release past the initial value throws InvalidStateError, and changes nothing", async () => {
    const { value } = await runVirtual(function* () {
      const slots = new BoundedSemaphore(2);
      yield* slots.acquire();
      slots.release();
      let error: unknown;
      try {
        slots.release();
      } catch (e) {
        error = e;
      }
      return { error, value: slots.value };
    });
    expect(value.error).toBeInstanceOf(InvalidStateError);
    expect(value.value).toBe(2);
  });

  it("BoundedSemaphore hands a release to a waiter like a Semaphore", async () => {
    const log = new Log();
    await runVirtual(function* () {
      const slots = new BoundedSemaphore(1);
      const a = createTask(holder(log, slots, "a", 10));
      const b = createTask(holder(log, slots, "b", 10));
      yield* a;
      yield* b;
      expect(slots.value).toBe(1);
    });
    expect(log.entries).toEqual(["a acquired", "b acquired"]);
  });

  it("fromPromise returns a Future: done(), result() and sharing between tasks work", async () => {
    const { value } = await runVirtual(function* () {
      let resolve!: (v: string) => void;
      const future = fromPromise(new Promise<string>((r) => (resolve = r)));
      const before = future.done();
      function* waitOn(f: typeof future): Coro<string> {
        return yield* f;
      }
      const a = createTask(waitOn(future));
      const b = createTask(waitOn(future));
      resolve("shared");
      const results = [yield* a, yield* b];
      return { before, after: future.done(), result: future.result(), results };
    });
    expect(value).toEqual({ before: false, after: true, result: "shared", results: ["shared", "shared"] });
  });

  it("cancelling fromPromise's Future stops the wait, not the program", async () => {
    const { loop } = recordingLoop(); // Real clock: a pending Promise keeps the virtual clock still.
    const value = await loop.runUntilComplete(
      (function* () {
        const never = fromPromise(new Promise<never>(() => {}));
        loop.callLater(5, () => never.cancel());
        try {
          yield* never;
        } catch (error) {
          return error instanceof Error && error.name === "CancelledError";
        }
        return false;
      })(),
    );
    loop.close();
    expect(value).toBe(true);
  });
});
