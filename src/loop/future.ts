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

/**
 * A result that will exist later: pending, then exactly one of succeeded
 * (a value), failed (an error, whatever was thrown, `undefined` included) or
 * cancelled. Tasks park on it with `yield*`; done callbacks run from the loop.
 * @example
 * const fut = loop.createFuture<number>();
 * loop.callLater(10, () => fut.setResult(42));
 * const n = yield* fut; // n: number
 */
export class Future<T> implements Waitable, Awaitable<T> {
  readonly loop: EventLoop;
  #state: State = PENDING;
  #value: T | undefined = undefined;
  #error: unknown = undefined;
  #cancelMessage: string | undefined = undefined;
  // Why two fields: almost every future has exactly one listener (the task
  // awaiting it), which then costs no array.
  #first: Listener | null = null;
  #rest: Listener[] | null = null;

  /** Bound to `loop`, or to the running loop. */
  constructor(loop: EventLoop = getRunningLoop()) {
    this.loop = loop;
  }

  get [WAITABLE](): true {
    return true;
  }

  /** `yield* future`: park until done, then return the value or throw the error. */
  *[Symbol.iterator](): Generator<Yieldable, T, unknown> {
    if (this.#state === PENDING) yield this;
    return this.result();
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
    if (this.#state === SUCCEEDED) return this.#value as T;
    if (this.#state === FAILED) throw this.exception();
    if (this.#state === CANCELLED) throw new CancelledError(this.#cancelMessage);
    throw new InvalidStateError(`${String(this)}: result is not set yet`);
  }

  /**
   * The stored error, or undefined if it finished with a value (use
   * `failed()` to tell that from a thrown `undefined`). Reading it counts as
   * retrieving it (no "never retrieved" report).
   * @throws CancelledError if cancelled, InvalidStateError if pending.
   */
  exception(): unknown {
    if (this.#state === CANCELLED) throw new CancelledError(this.#cancelMessage);
    if (this.#state === PENDING) throw new InvalidStateError(`${String(this)}: exception is not set yet`);
    if (this.#state === FAILED) this.loop.untrackFailure(this);
    return this.#error;
  }

  /** @throws InvalidStateError if already done. */
  setResult(value: T): void {
    this.#checkPending();
    this.#value = value;
    this.#state = SUCCEEDED;
    this.#dispatch();
  }

  /** @throws InvalidStateError if already done. */
  setException(error: unknown): void {
    this.#checkPending();
    this.#error = error;
    this.#state = FAILED;
    this.loop.trackFailure(this, error);
    this.#dispatch();
  }

  /** Cancel a pending future; returns false if it was already done. */
  cancel(message?: string): boolean {
    if (this.#state !== PENDING) return false;
    this.#cancelMessage = message;
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
    let removed = 0;
    if (this.#first === fn) {
      this.#first = null;
      removed++;
    }
    if (this.#rest !== null) {
      const before = this.#rest.length;
      this.#rest = this.#rest.filter((l) => l !== fn);
      removed += before - this.#rest.length;
    }
    return removed;
  }

  /** @internal Wake `waiter` (put it on the ready queue) once done. */
  addWaiter(waiter: Waiter): void {
    this.#listen(waiter);
  }

  /** @internal The message given to `cancel`, if any. */
  cancelMessage(): string | undefined {
    return this.#cancelMessage;
  }

  toString(): string {
    const state = this.#state === PENDING ? "pending" : this.#state === CANCELLED ? "cancelled" : this.#state === FAILED ? "failed" : "finished";
    return `<${this.label()} ${state}>`;
  }

  /** How toString names this future. */
  protected label(): string {
    return "Future";
  }

  #checkPending(): void {
    if (this.#state !== PENDING) throw new InvalidStateError(`${String(this)}: already done`);
  }

  #listen(listener: Listener): void {
    if (this.#state !== PENDING) {
      this.#notify(listener);
    } else if (this.#first === null && this.#rest === null) {
      this.#first = listener;
    } else {
      (this.#rest ??= []).push(listener);
    }
  }

  #dispatch(): void {
    const first = this.#first;
    const rest = this.#rest;
    this.#first = this.#rest = null;
    if (first !== null) this.#notify(first);
    if (rest !== null) for (const listener of rest) this.#notify(listener);
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
