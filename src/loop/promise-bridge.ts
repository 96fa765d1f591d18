/**
 * Native Promises inside coroutines: a Promise becomes a Future settled from
 * the Promise's callbacks, so promise-based libraries stay usable. The loop
 * counts bridges in flight: they can wake it, so the virtual clock waits.
 */
import type { EventLoop } from "./event-loop.ts";
import { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";

/** A Future that settles like `promise`. */
export function futureFromPromise<T>(promise: PromiseLike<T>, loop: EventLoop): Future<T> {
  return new PromiseFuture(promise, loop);
}

/** A Future fed by a Promise, counted by the loop while it may still wake it. */
class PromiseFuture<T> extends Future<T> {
  #counted = true;

  constructor(promise: PromiseLike<T>, loop: EventLoop) {
    super(loop);
    loop.noteExternalWait(1);
    try {
      promise.then(
        (value) => {
          this.#uncount();
          if (!this.done() && !loop.isClosed()) this.setResult(value);
        },
        (error: unknown) => {
          this.#uncount();
          if (!this.done() && !loop.isClosed()) this.setException(error);
        },
      );
    } catch (error) {
      // Why: a thenable whose `then` throws is a failure of that wait, not of the loop.
      this.#uncount();
      this.setException(error);
    }
  }

  // Why: a cancelled wait (its task was cancelled) must stop counting now, not
  // when the Promise settles, which may be never: while counted, the bridge
  // keeps the virtual clock from jumping.
  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.#uncount();
    return true;
  }

  #uncount(): void {
    if (!this.#counted) return;
    this.#counted = false;
    this.loop.noteExternalWait(-1);
  }
}

/**
 * A Future of the running loop that settles like `promise`: wait for it with
 * `yield*` (typed), share it between tasks, or check `done()` / `result()`.
 * Cancelling it stops the wait, not the Promise's work. (A bare
 * `yield promise` works too, untyped.)
 * @example
 * const body = yield* fromPromise(fetch(url).then((r) => r.text())); // body: string
 */
export function fromPromise<T>(promise: PromiseLike<T>): Future<T> {
  return futureFromPromise(promise, getRunningLoop());
}
