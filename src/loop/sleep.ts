/**
 * `sleep(ms)`: the most common wait, so it costs two small objects beyond
 * the task: the coroutine `sleep()` returns (lazy: nothing happens until a
 * task runs it) and one future that is its own entry in the loop's timer
 * heap. Why not a generator, a Future and a TimerHandle with its callback
 * and arguments array: 100 000 sleeping tasks then cost more heap, and more
 * time, than 100 000 async functions on a setTimeout (bench/loop.bench.ts).
 *
 * Waking: when the deadline is due, the loop's timer phase completes the
 * future, which queues its task for this same iteration, as an I/O poll
 * does (no callback trip in between).
 */
import type { EventLoop } from "./event-loop.ts";
import { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";
import { EXPIRE, type TimerEntry } from "./timer-heap.ts";
import type { Coro, Yieldable } from "./types.ts";

const FINISHED: IteratorReturnResult<void> = { value: undefined, done: true };

/** The future a sleeping task parks on, and the timer heap's entry for it. */
class SleepTimer extends Future<void> implements TimerEntry {
  seq = 0;
  scheduled = false;

  constructor(
    loop: EventLoop,
    readonly when: number,
  ) {
    super(loop);
    loop.addTimer(this);
  }

  override label(): string {
    return `sleep until ${this.when.toFixed(1)} ms`;
  }

  [EXPIRE](): undefined {
    if (!this.done()) this.setResult(undefined);
    return undefined;
  }

  /** Cancelling the sleep (its task was cancelled) leaves the heap too, lazily. */
  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.loop.timerCancelled(this);
    return true;
  }
}

/**
 * The coroutine behind `sleep(ms)`, hand-written rather than a `function*`
 * (see the file header). It behaves as `function* () { yield* timer; }`
 * would: the first `next()` arms the timer and yields its future; once that
 * is done, `next()` finishes (or throws CancelledError if it was
 * cancelled); `throw` and `return` cancel a timer still armed and end it.
 */
class Sleeping implements Coro<void> {
  readonly #ms: number;
  #timer: SleepTimer | null = null;
  #finished = false;

  constructor(ms: number) {
    this.#ms = ms;
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Sleeping";
  }

  next(): IteratorResult<Yieldable, void> {
    if (this.#finished) return FINISHED;
    let timer = this.#timer;
    if (timer === null) {
      const loop = getRunningLoop();
      timer = this.#timer = new SleepTimer(loop, loop.time() + this.#ms);
    }
    if (!timer.done()) return { value: timer, done: false };
    this.#end();
    timer.result(); // Throws CancelledError if the sleep was cancelled.
    return FINISHED;
  }

  throw(error: unknown): IteratorResult<Yieldable, void> {
    this.#end();
    throw error;
  }

  return(): IteratorResult<Yieldable, void> {
    this.#end();
    return FINISHED;
  }

  #end(): void {
    this.#finished = true;
    this.#timer?.cancel(); // Does nothing once it fired; undoes the wait otherwise.
    this.#timer = null;
  }
}

function* releaseOnce(): Coro<void> {
  yield;
}

/**
 * Wait `ms` milliseconds on the loop's clock; `sleep(0)` is `release()`.
 * Cancelling the waiting task cancels the timer. The clock starts when a
 * task first runs the coroutine (at the `yield*`), not at the call.
 * @example
 * yield* sleep(250);
 */
export function sleep(ms: number): Coro<void> {
  return ms > 0 ? new Sleeping(ms) : releaseOnce();
}

/** Wait until loop time `deadline` (ms, `loop.time()` scale). */
export function* sleepUntilTime(deadline: number): Coro<void> {
  yield* sleep(deadline - getRunningLoop().time());
}
