/**
 * shield: protect work from the cancellation of whoever waits for it
 * (asyncio's `shield`).
 */
import { ensureFuture } from "./coroutines.ts";
import { DescribedFuture } from "./described-future.ts";
import type { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";
import type { Awaitable } from "./types.ts";

/**
 * A Future that follows `awaitable` (a coroutine becomes a task), except
 * that cancelling it, or the task waiting on it, leaves the inner work
 * running. For cleanup that must finish after a cancel, or a task shared by
 * several waiters under `waitFor`. If the shield was cancelled and the work
 * then fails, its error is reported as never retrieved rather than lost.
 * @example
 * try { yield* serve(conn); }
 * finally { yield* shield(saveSession(conn)); } // runs to its end even if we were cancelled
 */
export function shield<T>(awaitable: Awaitable<T>): Future<T> {
  const loop = getRunningLoop();
  const inner = ensureFuture(awaitable, loop);
  if (inner.done()) return inner;
  const outer = new DescribedFuture<T>(loop, "shield", inner);
  inner.addDoneCallback((done) => {
    if (outer.cancelled()) return;
    if (done.cancelled()) outer.cancel(done.cancelMessage());
    else if (done.failed()) outer.setException(done.exception());
    else outer.setResult(done.result());
  });
  return outer;
}
