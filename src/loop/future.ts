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

const PENDING = 0;
const FINISHED = 1;
const CANCELLED = 2;

/**
 * @example
 * const fut = loop.createFuture<number>();
 * loop.callLater(10, () => fut.setResult(42));
 * const n = yield* fut; // n: number
 */
export class Future<T> implements Waitable, Awaitable<T> {
  readonly loop: EventLoop;
  #state: typeof PENDING | typeof FINISHED | typeof CANCELLED = PENDING;
  #value: T | undefined = undefined;
  #error: unknown = undefined;
  #failed = false;
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
   * The value.
   * @throws the stored error, CancelledError if cancelled, InvalidStateError if pending.
   */
  result(): T {
    if (this.#state === FINISHED) {
      if (this.#failed) throw this.exception();
      return this.#value as T;
    }
    if (this.#state === CANCELLED) throw new CancelledError(this.#cancelMessage);
    throw new InvalidStateError(`${String(this)}: result is not set yet`);
  }

  /**
   * The stored error, or undefined if it finished with a value. Reading it
   * counts as retrieving it (no "never retrieved" report).
   * @throws CancelledError if cancelled, InvalidStateError if pending.
   */
  exception(): unknown {
    if (this.#state === CANCELLED) throw new CancelledError(this.#cancelMessage);
    if (this.#state === PENDING) throw new InvalidStateError(`${String(this)}: exception is not set yet`);
    if (this.#failed) this.loop.untrackFailure(this);
    return this.#error;
  }

  /** @throws InvalidStateError if already done. */
  setResult(value: T): void {
    this.#checkPending();
    this.#value = value;
    this.#state = FINISHED;
    this.#dispatch();
  }

  /** @throws InvalidStateError if already done. */
  setException(error: unknown): void {
    this.#checkPending();
    this.#error = error;
    this.#failed = true;
    this.#state = FINISHED;
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
    const state = this.#state === PENDING ? "pending" : this.#state === CANCELLED ? "cancelled" : this.#failed ? "failed" : "finished";
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
