/**
 * Native Promises inside coroutines: a Promise becomes a Future settled from
 * the Promise's callbacks, so promise-based libraries stay usable. The loop
 * counts bridges in flight: they can wake it, so the virtual clock waits.
 */
import type { EventLoop } from "./event-loop.ts";
import { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";
import type { Coro } from "./types.ts";

/** A Future that settles like `promise`. */
export function futureFromPromise<T>(promise: PromiseLike<T>, loop: EventLoop): Future<T> {
  const future = new Future<T>(loop);
  loop.noteExternalWait(1);
  promise.then(
    (value) => {
      loop.noteExternalWait(-1);
      if (!future.done() && !loop.isClosed()) future.setResult(value);
    },
    (error: unknown) => {
      loop.noteExternalWait(-1);
      if (!future.done() && !loop.isClosed()) future.setException(error);
    },
  );
  return future;
}

/**
 * Wait for a Promise from a coroutine, typed: `const r = yield* fromPromise(fetchIt())`.
 * (A bare `yield promise` works too, untyped.)
 */
export function* fromPromise<T>(promise: PromiseLike<T>): Coro<T> {
  return yield* futureFromPromise(promise, getRunningLoop());
}
