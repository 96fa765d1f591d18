/**
 * Deadlines: `timeout` bounds a coroutine run inside the current task,
 * `waitFor` bounds any awaitable (a coroutine is run as its own task). Both cancel the inner
 * work when time is up and raise TimeoutError in its place.
 */
import { CancelledError, LoopStateError, TimeoutError } from "./errors.ts";
import type { Future } from "./future.ts";
import { ensureFuture } from "./coroutines.ts";
import { currentTask } from "./running.ts";
import type { Awaitable, Coro } from "./types.ts";

/**
 * Run `coro` (a coroutine, or any awaitable) in the current task; if it takes more than `ms`, cancel it
 * (its `finally` blocks run) and throw TimeoutError.
 * @example
 * const line = yield* timeout(5_000, reader.readline());
 */
export function* timeout<T>(ms: number, coro: Awaitable<T>): Coro<T> {
  const task = currentTask();
  if (task === null) throw new LoopStateError("timeout() must run inside a task");
  // Why count: if someone else cancels the task too, their cancel must win
  // over our TimeoutError (asyncio 3.11's timeout does the same).
  const cancellingBefore = task.cancelling();
  let expired = false;
  const timer = task.loop.callLater(ms, () => {
    expired = true;
    task.cancel(`timed out after ${ms} ms`);
  });
  try {
    return yield* coro;
  } catch (error) {
    if (expired && task.uncancel() <= cancellingBefore && error instanceof CancelledError) {
      throw new TimeoutError(`timed out after ${ms} ms`, { cause: error });
    }
    throw error;
  } finally {
    timer.cancel();
  }
}

/**
 * Wait for `awaitable` (a coroutine becomes a task) for at most `ms`; on
 * timeout cancel it, wait for it to finish cancelling, and throw TimeoutError.
 * @example
 * const n = yield* waitFor(computeTask, 100);
 */
export function* waitFor<T>(awaitable: Awaitable<T> | Future<T>, ms: number): Coro<T> {
  const inner = ensureFuture(awaitable);
  // Why this works: cancelling a task parked on a future cancels that future
  // and waits for it, so the timeout cancels `inner` and lets it finish.
  return yield* timeout(ms, inner);
}
