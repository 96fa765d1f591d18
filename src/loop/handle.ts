/**
 * Handle: a callback scheduled on the loop, which can be cancelled before it
 * runs. TimerHandle adds its deadline. Running one never throws: an error
 * goes to the loop's exception handler.
 */
import { RUN, type Runnable } from "./ready-queue.ts";
import { EXPIRE, type TimerEntry } from "./timer-heap.ts";

/** What a Handle needs from its loop: somewhere to report errors. */
export interface HandleOwner {
  callException(message: string, exception: unknown, handle: Handle): void;
  timerCancelled(timer: TimerEntry): void;
}

/**
 * A callback scheduled by `loop.callSoon` (or, as a TimerHandle, by
 * `callLater` / `callAt`); `cancel()` keeps it from running.
 * @example
 * const handle = loop.callSoon(() => console.log("soon"));
 * handle.cancel(); // never prints
 */
export class Handle implements Runnable {
  #fn: ((...args: never[]) => unknown) | null;
  #args: readonly unknown[];
  #cancelled = false;
  protected readonly owner: HandleOwner;

  /** @internal use `loop.callSoon` */
  constructor(fn: (...args: never[]) => unknown, args: readonly unknown[], owner: HandleOwner) {
    this.#fn = fn;
    this.#args = args;
    this.owner = owner;
  }

  /** Prevent the callback from running. Cancelling twice, or after it ran, does nothing. */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#fn = null; // Why: drop references so a cancelled handle holds nothing alive.
    this.#args = [];
  }

  cancelled(): boolean {
    return this.#cancelled;
  }

  /** @internal run by the loop */
  [RUN](): void {
    const fn = this.#fn;
    if (fn === null) return;
    try {
      (fn as (...args: unknown[]) => unknown)(...this.#args);
    } catch (error) {
      this.owner.callException(`exception in callback ${fn.name || "<anonymous>"}`, error, this);
    }
  }

  toString(): string {
    return `<Handle ${this.#fn?.name || "<anonymous>"}${this.#cancelled ? " cancelled" : ""}>`;
  }
}

/**
 * A Handle due at loop time `when`; cancelling it tells the loop, which
 * compacts its heap once most timers in it are cancelled.
 * @example
 * const timer = loop.callLater(1_000, () => console.log("late"));
 * timer.cancel();
 */
export class TimerHandle extends Handle implements TimerEntry {
  /** @internal set by the timer heap */
  seq = 0;
  /** @internal true while the timer sits in the loop's heap */
  scheduled = false;

  /** @internal use `loop.callAt` / `loop.callLater` */
  constructor(
    /** Absolute loop time (ms, `loop.time()` scale) at which it fires. */
    readonly when: number,
    fn: (...args: never[]) => unknown,
    args: readonly unknown[],
    owner: HandleOwner,
  ) {
    super(fn, args, owner);
  }

  override cancel(): void {
    if (this.cancelled()) return;
    super.cancel();
    this.owner.timerCancelled(this);
  }

  /** @internal Due: the callback runs in this iteration, FIFO with the other ready work. */
  [EXPIRE](): Runnable {
    return this;
  }
}
