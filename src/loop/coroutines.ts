/**
 * The everyday coroutine helpers: give the turn back, spawn a task (sleep
 * has its own file, sleep.ts).
 */
import { isFuture, type Future } from "./future.ts";
import type { EventLoop } from "./event-loop.ts";
import { getRunningLoop } from "./running.ts";
import type { Task, TaskOptions } from "./task.ts";
import { RESUMED, type Awaitable, type Coro, type Yieldable } from "./types.ts";

const YIELD_ONCE: IteratorYieldResult<undefined> = { value: undefined, done: false };
const FINISHED: IteratorReturnResult<void> = { value: undefined, done: true };

/**
 * The iterator behind `release()`: yields once, then is done. Task switching
 * is the loop's hottest path, so it allocates nothing: instead of remembering
 * whether it has yielded (which would need an object per call), it reads
 * what it is resumed with. `yield*` always starts an iterator with
 * `next(undefined)`; the task resumes it with `next(RESUMED)`.
 * Drivers other than Task (the chapter's `runTask`/`runTasks`) send RESUMED too.
 */
const RELEASE: Iterator<Yieldable, void, unknown> & Awaitable<void> = {
  [Symbol.iterator]() {
    return this;
  },
  next(sent?: unknown) {
    return sent === RESUMED ? FINISHED : YIELD_ONCE;
  },
  /** Cancellation thrown at the yield goes straight up to the coroutine. */
  throw(error: unknown): never {
    throw error;
  },
  return() {
    return FINISHED;
  },
};

/**
 * Give the turn back to the loop once (the chapter's `interrupt`, asyncio's
 * `sleep(0)`). A bare `yield` in a coroutine does the same.
 * @example
 * function* spin() { for (;;) yield* release(); }
 */
export function release(): Awaitable<void> {
  return RELEASE;
}

/**
 * Schedule `coro` as a task on the running loop.
 * @example
 * const child = createTask(worker(), { name: "worker", priority: 1 });
 * const out = yield* child;
 */
export function createTask<T>(coro: Coro<T>, options: Omit<TaskOptions, "loop"> = {}): Task<T> {
  return getRunningLoop().createTask(coro, options);
}

/**
 * `awaitable` as a Future: a Future or Task as it is, anything else (a
 * coroutine, an awaitable object) run as a new task on `loop`.
 * @example
 * const futures = awaitables.map((a) => ensureFuture(a));
 */
export function ensureFuture<T>(awaitable: Awaitable<T>, loop: EventLoop = getRunningLoop()): Future<T> {
  if (isFuture(awaitable)) return awaitable as Future<T>;
  return loop.createTask(isCoro(awaitable) ? awaitable : delegate(awaitable));
}

function isCoro<T>(awaitable: Awaitable<T>): awaitable is Coro<T> {
  const it = awaitable as Partial<Coro<T>>;
  return typeof it.next === "function" && typeof it.throw === "function" && it[Symbol.iterator]?.() === it;
}

function* delegate<T>(awaitable: Awaitable<T>): Coro<T> {
  return yield* awaitable;
}
