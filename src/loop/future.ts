/**
 * Future<T>: a result that will exist later. Pending, then done with a value
 * or an error, or cancelled. Invariant: done callbacks are never called
 * synchronously; they are queued on the loop, so completing a future never
 * re-enters the code that completed it.
 */
import { CancelledError, InvalidStateError } from "./errors.ts";
import type { EventLoop } from "./event-loop.ts";
import type { Runnable } from "./ready-queue.ts";
import { getRunningLoop } from "./running.ts";
import { WAITABLE, type Awaitable, type Waitable, type Yieldable } from "./types.ts";

export type DoneCallback<T> = (future: Future<T>) => unknown;

/** A task parked on a future: woken by being put back on the ready queue. */
export interface Waiter extends Runnable {
  readonly priority: number;
}

// Why `never`: a callback parameter typed Future<T> would make Future<T>
// invariant, and a Future<number> could not be passed as a Future<unknown>.
type Listener = ((future: never) => unknown) | Waiter;

// The outcome, as asyncio's `_state` / trio's Outcome: a state, never a
// sentinel value. Why: `throw undefined` is a failure like any other, so
// "failed" cannot be told by looking at the error.
const PENDING = 0;
const SUCCEEDED = 1;
const FAILED = 2;
const CANCELLED = 3;
type State = typeof PENDING | typeof SUCCEEDED | typeof FAILED | typeof CANCELLED;

/** What `next()` of a done Future<void> returns: shared, it is never written to. */
const DONE_UNDEFINED: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** The outcome of a pending future just yielded by `next()`, until a task registers on it. */
const YIELDED: unique symbol = Symbol("boucle.yielded");

/**
 * A result that will exist later: pending, then exactly one of succeeded
 * (a value), failed (an error, whatever was thrown, `undefined` included) or
 * cancelled. Tasks park on it with `yield*`; done callbacks run from the loop.
 * @example
 * const fut = loop.createFuture<number>();
 * loop.callLater(10, () => fut.setResult(42));
 * const n = yield* fut; // n: number
 */
export class Future<T> implements Waitable, Awaitable<T>, Iterator<Yieldable, T, unknown> {
  readonly loop: EventLoop;
  #state: State = PENDING;
  /**
   * What #state says: the value, the error, or the cancel message (while
   * pending: undefined or the YIELDED mark). Why one field: a smaller future.
   */
  #outcome: unknown = undefined;
  // Why one field for one or many: almost every future has exactly one
  // listener (the task awaiting it), which then costs no array.
  #listeners: Listener | Listener[] | null = null;

  /** Bound to `loop`, or to the running loop. */
  constructor(loop: EventLoop = getRunningLoop()) {
    this.loop = loop;
  }

  get [WAITABLE](): true {
    return true;
  }

  /**
   * `yield* future`: park until done, then return the value or throw the
   * error. The future is its own iterator (see {@link next}): waiting on it
   * allocates no generator.
   */
  [Symbol.iterator](): this {
    return this;
  }

  /**
   * @internal The iterator protocol behind `yield*`, decided by the state,
   * not by what is sent: while pending, yield this future to the task
   * (which parks on it); once done, finish with the value or throw the error.
   */
  next(): IteratorResult<Yieldable, T> {
    // Why the mark: the task that takes the yielded future registers on it
    // (addWaiter), which clears the mark. A second next() while still
    // pending and marked is some other iteration (for-of, a spread, a deep
    // equality), which would spin forever: it gets result()'s InvalidStateError.
    if (this.#state === PENDING && this.#outcome !== YIELDED) {
      this.#outcome = YIELDED;
      return { value: this, done: false };
    }
    const value = this.result();
    return value === undefined ? (DONE_UNDEFINED as IteratorReturnResult<T>) : { value, done: true };
  }

  /** @internal What the task throws at the `yield*` (the error, a cancellation) goes on up. */
  throw(error: unknown): IteratorResult<Yieldable, T> {
    throw error;
  }

  done(): boolean {
    return this.#state !== PENDING;
  }

  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /**
   * True if done with an error, whatever was thrown (`undefined` included).
   * Unlike `exception()`, it never throws and does not count as retrieving.
   */
  failed(): boolean {
    return this.#state === FAILED;
  }

  /**
   * The value.
   * @throws the stored error, CancelledError if cancelled, InvalidStateError if pending.
   */
  result(): T {
    if (this.#state === SUCCEEDED) return this.#outcome as T;
    if (this.#state === FAILED) throw this.exception();
    if (this.#state === CANCELLED) throw new CancelledError(this.#outcome as string | undefined);
    throw new InvalidStateError(`${String(this)}: result is not set yet`);
  }

  /**
   * The stored error, or undefined if it finished with a value (use
   * `failed()` to tell that from a thrown `undefined`). Reading it counts as
   * retrieving it (no "never retrieved" report).
   * @throws CancelledError if cancelled, InvalidStateError if pending.
   */
  exception(): unknown {
    if (this.#state === CANCELLED) throw new CancelledError(this.#outcome as string | undefined);
    if (this.#state === PENDING) throw new InvalidStateError(`${String(this)}: exception is not set yet`);
    if (this.#state !== FAILED) return undefined;
    this.loop.untrackFailure(this);
    return this.#outcome;
  }

  /** @throws InvalidStateError if already done. */
  setResult(value: T): void {
    this.#checkPending();
    this.#outcome = value;
    this.#state = SUCCEEDED;
    this.#dispatch();
  }

  /** @throws InvalidStateError if already done. */
  setException(error: unknown): void {
    this.#checkPending();
    this.#outcome = error;
    this.#state = FAILED;
    this.loop.trackFailure(this, error);
    this.#dispatch();
  }

  /** Cancel a pending future; returns false if it was already done. */
  cancel(message?: string): boolean {
    if (this.#state !== PENDING) return false;
    this.#outcome = message;
    this.#state = CANCELLED;
    this.#dispatch();
    return true;
  }

  /** Call `fn(future)` from the loop once done (soon, if done already). */
  addDoneCallback(fn: DoneCallback<T>): void {
    this.#listen(fn);
  }

  /** Remove every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<T>): number {
    const listeners = this.#listeners;
    if (listeners === fn) {
      this.#listeners = null;
      return 1;
    }
    if (!Array.isArray(listeners)) return 0;
    const kept = listeners.filter((l) => l !== fn);
    this.#listeners = kept;
    return listeners.length - kept.length;
  }

  /** @internal Wake `waiter` (put it on the ready queue) once done. */
  addWaiter(waiter: Waiter): void {
    if (this.#state === PENDING) this.#outcome = undefined; // The yield* protocol's mark, see next().
    this.#listen(waiter);
  }

  /** @internal The message given to `cancel`, if any. */
  cancelMessage(): string | undefined {
    return this.#state === CANCELLED ? (this.#outcome as string | undefined) : undefined;
  }

  toString(): string {
    const state = this.#state === PENDING ? "pending" : this.#state === CANCELLED ? "cancelled" : this.#state === FAILED ? "failed" : "finished";
    return `<${this.label()} ${state}>`;
  }

  /** @internal What this future stands for (toString, traces, task dumps); subclasses say more. */
  label(): string {
    return "Future";
  }

  #checkPending(): void {
    if (this.#state !== PENDING) throw new InvalidStateError(`${String(this)}: already done`);
  }

  #listen(listener: Listener): void {
    const listeners = this.#listeners;
    if (this.#state !== PENDING) this.#notify(listener);
    else if (listeners === null) this.#listeners = listener;
    else if (Array.isArray(listeners)) listeners.push(listener);
    else this.#listeners = [listeners, listener];
  }

  #dispatch(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    if (!Array.isArray(listeners)) return this.#notify(listeners);
    for (const listener of listeners) this.#notify(listener);
  }

  #notify(listener: Listener): void {
    if (typeof listener === "function") this.loop.callSoon(listener as DoneCallback<T>, this);
    else this.loop.enqueue(listener, listener.priority);
  }
}

/** True for Futures and Tasks (anything a task can park on). */
export function isFuture(value: unknown): value is Future<unknown> {
  return typeof value === "object" && value !== null && (value as Partial<Waitable>)[WAITABLE] === true;
}
