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
  return new PromiseFuture(promise, loop);
}

/** A Future fed by a Promise, counted by the loop while it may still wake it. */
class PromiseFuture<T> extends Future<T> {
  #counted = true;

  constructor(promise: PromiseLike<T>, loop: EventLoop) {
    super(loop);
    loop.noteExternalWait(1);
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
 * Wait for a Promise from a coroutine, typed: `const r = yield* fromPromise(fetchIt())`.
 * (A bare `yield promise` works too, untyped.)
 */
export function* fromPromise<T>(promise: PromiseLike<T>): Coro<T> {
  return yield* futureFromPromise(promise, getRunningLoop());
}
