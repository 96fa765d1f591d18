/**
 * Task<T>: a Future that drives a generator coroutine. Its step is the only
 * place generators are resumed (`next` / `throw`), and only event-loop.ts
 * invokes it (the iteration, or `startEager` for an eager first step). The
 * step is a loop, never a recursion: a coroutine that awaits any number of
 * already-done futures in a row does not grow the JS stack.
 *
 * What the coroutine may yield: nothing (bare `yield`: back of the ready
 * queue), a Future (park until done), a Promise (bridged into a Future).
 * Anything else is a TypeError thrown back into the coroutine.
 */
import { CancelledError, InvalidStateError } from "./errors.ts";
import type { EventLoop } from "./event-loop.ts";
import { Future, isFuture, type Waiter } from "./future.ts";
import { futureFromPromise } from "./promise-bridge.ts";
import { RUN } from "./ready-queue.ts";
import { getRunningLoop, running } from "./running.ts";
import { RESUMED, type Coro } from "./types.ts";

export interface TaskOptions {
  /** For error messages and debugging; default `Task-N`. */
  name?: string;
  /** Lower runs first; default 0. See the README's priority rule. */
  priority?: number;
  /** Default: the running loop. */
  loop?: EventLoop;
  /**
   * Run the first step now, inside `createTask`, when called from the
   * loop's own iteration (asyncio's eager tasks): work that starts by
   * writing (a server's greeting) doesn't wait a whole iteration to start.
   * An eager start requested during another eager first step is queued and
   * runs right after it, before `createTask` of the outermost one returns:
   * a chain of eager spawns never nests steps on the JS stack.
   */
  eager?: boolean;
}

let taskCount = 0;

/**
 * Every generator's `next` (the built-in one). Why call it directly: looking
 * `coro.next` up on generators of many functions (each has its own shape)
 * costs more than a whole task switch; calling the built-in skips the lookup.
 */
const generatorNext = (Object.getPrototypeOf(function* () {}) as { prototype: Coro<unknown> }).prototype.next;

/**
 * A coroutine scheduled on the loop, and the Future of its outcome: its
 * return value, what it threw, or its cancellation. Create it with
 * `createTask` (or `loop.createTask`, `group.createTask`); await it with
 * `yield*`; cancel it with `cancel()` (asyncio 3.11's counting included:
 * `cancelling()` / `uncancel()`).
 * @example
 * const task = createTask(fetchAll(), { priority: -1 });
 * const pages = yield* task;
 */
export class Task<T> extends Future<T> implements Waiter {
  /** Lower runs first. May change while the task runs; applies from its next wake-up. */
  priority: number;
  readonly #coro: Coro<T>;
  /** The coroutine is a real generator (resumed with the built-in `next`), not a hand-written one (sleep's). */
  readonly #generator: boolean;
  /** The future this task is parked on, if any. */
  #awaiting: Future<unknown> | null = null;
  /** Loop time (coarse: see EventLoop.coarseNow) when it parked on #awaiting. */
  #parkedAt = 0;
  /** The name given, or the number of a default `Task-N` name (made when asked for). */
  #name: string | number;
  /** Cancel requests and their message; null until the first `cancel()` (most tasks never see one). */
  #cancel: CancelState | null = null;
  /** @internal Where the loop's task list holds this task (-1: not in it). */
  listIndex = -1;

  constructor(coro: Coro<T>, options: TaskOptions = {}) {
    const loop = options.loop ?? getRunningLoop();
    super(loop);
    if (typeof coro?.next !== "function" || typeof coro.throw !== "function") {
      throw new TypeError("a Task needs a generator: pass the call of a function*, e.g. createTask(main())");
    }
    this.#coro = coro;
    this.#generator = coro.next === generatorNext;
    this.#name = options.name ?? ++taskCount;
    this.priority = options.priority ?? 0;
    loop.noteTask(this as Task<unknown>, true);
    if (options.eager === true && running.loop === loop) loop.startEager(this);
    else loop.enqueue(this, this.priority);
  }

  /** For error messages and debugging; default `Task-N`. */
  get name(): string {
    const name = this.#name;
    return typeof name === "number" ? `Task-${name}` : name;
  }

  set name(name: string) {
    this.#name = name;
  }

  /** @internal The future this task is parked on (null while ready, running or done). */
  awaited(): Future<unknown> | null {
    return this.#awaiting;
  }

  /** @internal When it parked on {@link awaited}, on the loop's coarse clock. */
  parkedAt(): number {
    return this.#parkedAt;
  }

  /** The generator this task drives. */
  getCoro(): Coro<T> {
    return this.#coro;
  }

  /**
   * Request cancellation: CancelledError is thrown into the coroutine at its
   * suspension point (its `finally` blocks run; it may even catch it and go
   * on). If it is parked on another future, that future is cancelled, so
   * cancelling a task that awaits a task cancels the inner one. Each call
   * counts one request (see {@link cancelling}).
   * Returns false if the task is already done.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    // Why a loop: a task parked on a task parked on a task... is cancelled by
    // walking down the chain, not by recursing into each inner cancel(), so
    // a chain of any length cannot overflow the stack.
    let task: Task<unknown> = this as Task<unknown>;
    for (;;) {
      const cancel = (task.#cancel ??= { requests: 0, message: undefined, pending: false });
      cancel.message = message;
      cancel.requests++;
      const awaiting = task.#awaiting;
      if (awaiting instanceof Task && !awaiting.done()) {
        task = awaiting; // Cancelling it is what awaiting.cancel() would do, then return true.
        continue;
      }
      if (!(awaiting instanceof Task) && awaiting?.cancel(message)) return true; // Its wake-up brings CancelledError.
      cancel.pending = true;
      return true;
    }
  }

  /**
   * How many cancel requests are pending: `cancel()` calls not withdrawn by
   * `uncancel()`. What lets a `timeout` or a TaskGroup that cancelled this
   * task tell its own cancel from someone else's.
   */
  cancelling(): number {
    return this.#cancel?.requests ?? 0;
  }

  /**
   * Withdraw one cancel request (asyncio 3.11): called by whoever cancelled
   * this task on purpose once it has handled the CancelledError. Returns the
   * requests left; at 0, a cancellation not yet delivered is dropped.
   * @example
   * task.cancel();
   * try { yield* work(); } catch (e) { if (task.uncancel() > 0) throw e; }
   */
  uncancel(): number {
    const cancel = this.#cancel;
    if (cancel === null) return 0;
    if (cancel.requests > 0 && --cancel.requests === 0) cancel.pending = false;
    return cancel.requests;
  }

  /** @throws InvalidStateError: a task's result comes from its coroutine. */
  override setResult(): never {
    throw new InvalidStateError("a Task's result is set by its coroutine");
  }

  /** @throws InvalidStateError: a task's error comes from its coroutine. */
  override setException(): never {
    throw new InvalidStateError("a Task's error is set by its coroutine");
  }

  override label(): string {
    return `Task ${this.name}`;
  }

  /** @internal One step: resume the coroutine until it parks, yields or ends. */
  [RUN](): void {
    if (this.done()) return;
    let throwing = false;
    let sent: unknown = RESUMED; // After a bare yield (see RESUMED); ignored by a first step.
    /** A done future whose outcome is to be sent into the coroutine next. */
    let from = this.#awaiting;
    this.#awaiting = null;
    const cancel = this.#cancel;
    if (cancel !== null && cancel.pending) {
      cancel.pending = false;
      throwing = true;
      sent = new CancelledError(cancel.message);
      from = null;
    }

    // Why no try/finally: the step restores running.task on each way out
    // (a try/finally per step costs more than the switch itself); only a
    // bug of ours could throw past it, and the driver then resets it.
    const outer = running.task;
    running.task = this as Task<unknown>;
    const coro = this.#coro;
    for (;;) {
      if (from !== null) {
        // Inlined rather than a helper returning a pair: no array per step.
        if (from.cancelled()) {
          throwing = true;
          sent = new CancelledError(from.cancelMessage());
        } else if (from.failed()) {
          throwing = true;
          sent = from.exception();
        } else {
          throwing = false;
          sent = from.result();
        }
        from = null;
      }
      let step: IteratorResult<unknown, T>;
      try {
        if (throwing) step = coro.throw(sent);
        else step = this.#generator ? (generatorNext.call(coro, sent) as IteratorResult<unknown, T>) : coro.next(sent);
      } catch (error) {
        running.task = outer;
        this.loop.noteTask(this as Task<unknown>, false);
        if (error instanceof CancelledError) super.cancel(error.message);
        else super.setException(error);
        return;
      }
      const yielded = step.value;
      if (yielded === undefined && step.done !== true) {
        running.task = outer;
        this.loop.enqueue(this, this.priority);
        return;
      }
      if (step.done === true) {
        running.task = outer;
        this.loop.noteTask(this as Task<unknown>, false);
        if (this.#cancel?.pending === true) super.cancel(this.#cancel.message);
        else super.setResult(yielded as T);
        return;
      }
      const future = isFuture(yielded)
        ? yielded
        : isPromiseLike(yielded)
          ? futureFromPromise(yielded, this.loop)
          : null;
      if (future === null) {
        throwing = true;
        sent = new TypeError(`a task may yield only nothing, a Future or a Promise, not ${describe(yielded)}`);
      } else if (future.done()) {
        from = future; // Why: loop, don't park: no scheduler trip, no recursion.
      } else {
        running.task = outer;
        this.#awaiting = future;
        this.#parkedAt = this.loop.coarseNow;
        future.addWaiter(this);
        const late = this.#cancel; // A cancel() made during this step, while nothing was awaited.
        if (late !== null && late.pending && future.cancel(late.message)) late.pending = false;
        return;
      }
    }
  }
}

/** A task's cancellation state, allocated by its first `cancel()`. */
interface CancelState {
  /** `cancel()` calls not withdrawn by `uncancel()` (asyncio's `_num_cancels_requested`). */
  requests: number;
  message: string | undefined;
  /** CancelledError is still to be thrown into the coroutine (nothing awaited could carry it). */
  pending: boolean;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null && typeof (value as Iterator<unknown>).next === "function") {
    return "a generator (did you forget the * in yield*?)";
  }
  return typeof value === "object" ? Object.prototype.toString.call(value) : `${typeof value} ${String(value)}`;
}
