/**
 * Synchronisation for tasks on one loop: Event, Semaphore, Lock, Queue.
 * Built on Futures, outside the loop. Each waiter parks on its own future, so
 * cancelling one waiter never disturbs the others; waiters wake FIFO.
 */
import { InvalidStateError, QueueEmpty, QueueFull } from "./errors.ts";
import { DescribedFuture } from "./described-future.ts";
import type { Future } from "./future.ts";
import { Ring } from "./ring.ts";
import { getRunningLoop } from "./running.ts";
import type { Coro } from "./types.ts";

/**
 * Park the current task on a new future at the back of `queue` until
 * `wakeFirst` reaches it. If the task is cancelled after it was woken but
 * before it ran, the wake-up would be lost: `passOn` hands it to the next.
 */
function* park(queue: Ring<Future<void>>, passOn: () => void, kind: string): Coro<void> {
  const future = new DescribedFuture<void>(getRunningLoop(), kind);
  queue.push(future);
  try {
    yield* future;
  } catch (error) {
    // Woken, then cancelled before it ran: pass the wake-up on. Otherwise it
    // is still queued (a wake-up shifts only the futures it completes).
    if (future.done() && !future.cancelled()) passOn();
    else queue.remove(future);
    throw error;
  }
}

/** Wake the oldest waiter of `queue` still waiting; false if none. */
function wakeFirst(queue: Ring<Future<void>>): boolean {
  for (let future = queue.shift(); future !== undefined; future = queue.shift()) {
    if (!future.done()) {
      future.setResult();
      return true;
    }
  }
  return false;
}

const nothing = (): void => {};

/**
 * A flag tasks can wait for.
 * @example
 * const ready = new Event();
 * createTask(function* () { yield* ready.wait(); console.log("go"); }());
 * ready.set();
 */
export class Event {
  #set = false;
  readonly #waiters = new Ring<Future<void>>();

  isSet(): boolean {
    return this.#set;
  }

  /** Set the flag and wake every waiter. */
  set(): void {
    this.#set = true;
    while (wakeFirst(this.#waiters));
  }

  clear(): void {
    this.#set = false;
  }

  /** Return at once if set, else wait until `set()`. */
  *wait(): Coro<void> {
    if (!this.#set) yield* park(this.#waiters, nothing, "event wait");
  }
}

/**
 * A counter of permits: `acquire` waits while none is left.
 * A released permit goes straight to the oldest waiter (no barging).
 * @example
 * const slots = new Semaphore(10);
 * yield* slots.acquire();
 * try { yield* work(); } finally { slots.release(); }
 */
export class Semaphore {
  #value: number;
  readonly #waiters = new Ring<Future<void>>();

  constructor(value = 1) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError("a Semaphore's value must be an integer >= 0");
    this.#value = value;
  }

  /** Permits free right now. */
  get value(): number {
    return this.#value;
  }

  /** True when `acquire()` would wait (no permit free, or others already waiting). */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.size > 0;
  }

  *acquire(): Coro<void> {
    if (this.#value > 0 && this.#waiters.size === 0) {
      this.#value--;
      return;
    }
    yield* park(this.#waiters, () => this.release(), this.waitKind());
  }

  /** What a task waiting in acquire() is said to wait on. */
  protected waitKind(): string {
    return "semaphore";
  }

  release(): void {
    if (!wakeFirst(this.#waiters)) this.#value++;
  }

  /** Run `body` holding a permit. */
  *hold<T>(body: () => Coro<T>): Coro<T> {
    yield* this.acquire();
    try {
      return yield* body();
    } finally {
      this.release();
    }
  }
}

/**
 * A Semaphore whose `release()` past its initial value is an error (it
 * catches a release without its acquire).
 * @example
 * const slots = new BoundedSemaphore(2);
 * yield* slots.hold(function* () { yield* work(); });
 * slots.release(); // throws: more releases than acquires
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /** @throws InvalidStateError if every permit is already free. */
  override release(): void {
    if (this.value >= this.#bound) throw new InvalidStateError(`${this.constructor.name} released too many times`);
    super.release();
  }
}

/**
 * Mutual exclusion: a Semaphore of one whose release must match an acquire.
 * @example
 * yield* lock.hold(function* () { yield* writer.drain(); });
 */
export class Lock extends Semaphore {
  constructor() {
    super(1);
  }

  /** True while some task holds the lock. */
  override locked(): boolean {
    return this.value === 0;
  }

  protected override waitKind(): string {
    return "lock";
  }

  /** @throws InvalidStateError if the lock is not held. */
  override release(): void {
    if (!this.locked()) throw new InvalidStateError("release() of an unlocked Lock");
    super.release();
  }
}

/**
 * A FIFO queue between tasks, bounded when `maxSize > 0`: `put` waits while it
 * is full, `get` while it is empty. `taskDone` / `join` track processing.
 * @example
 * const q = new Queue<string>(100);
 * yield* q.put("job");
 * const job = yield* q.get();
 * q.taskDone();
 */
export class Queue<T> {
  readonly maxSize: number;
  /** Why a Ring: its storage follows what the queue holds, not what went through it. */
  readonly #items = new Ring<T>();
  readonly #getters = new Ring<Future<void>>();
  readonly #putters = new Ring<Future<void>>();
  #unfinished = 0;
  readonly #allDone = new Event();

  /** `maxSize` 0 (default) means unbounded. */
  constructor(maxSize = 0) {
    this.maxSize = maxSize;
    this.#allDone.set();
  }

  size(): number {
    return this.#items.size;
  }

  empty(): boolean {
    return this.size() === 0;
  }

  full(): boolean {
    return this.maxSize > 0 && this.size() >= this.maxSize;
  }

  /** Add `item`, waiting while the queue is full. */
  *put(item: T): Coro<void> {
    while (this.full()) yield* park(this.#putters, () => this.full() || wakeFirst(this.#putters), "queue put");
    this.putNowait(item);
  }

  /** @throws QueueFull if the queue is full. */
  putNowait(item: T): void {
    if (this.full()) throw new QueueFull(`queue full (${this.maxSize} items)`);
    this.#items.push(item);
    this.#unfinished++;
    this.#allDone.clear();
    wakeFirst(this.#getters);
  }

  /** Remove and return the oldest item, waiting while the queue is empty. */
  *get(): Coro<T> {
    while (this.empty()) yield* park(this.#getters, () => this.empty() || wakeFirst(this.#getters), "queue get");
    return this.getNowait();
  }

  /** @throws QueueEmpty if the queue is empty. */
  getNowait(): T {
    if (this.empty()) throw new QueueEmpty("queue empty");
    const item = this.#items.shift() as T;
    wakeFirst(this.#putters);
    return item;
  }

  /** Mark one item taken by `get` as processed. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new InvalidStateError("taskDone() called more times than there were items");
    if (--this.#unfinished === 0) this.#allDone.set();
  }

  /** Wait until every item put has been marked done. */
  *join(): Coro<void> {
    yield* this.#allDone.wait();
  }
}
