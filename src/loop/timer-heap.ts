/**
 * The loop's timers: a binary min-heap on (when, seq), so timers fire in
 * deadline order and FIFO on ties (the heap numbers entries as they come).
 * Push and pop are O(log n). An entry is a TimerHandle (a callback) or a
 * sleep's own future (see sleep.ts): anything with a deadline that can say
 * what to do once due.
 *
 * Cancellation is lazy: a cancelled timer stays in the heap and is skipped
 * when it reaches the top. Why: removing from the middle of a heap costs a
 * search. When most of the heap is cancelled timers (a server whose read
 * timeouts are almost always cancelled), it is rebuilt without them.
 */
import type { Runnable } from "./ready-queue.ts";

/** The method the loop calls on a due entry (a symbol: not part of TimerHandle's public API). */
export const EXPIRE: unique symbol = Symbol("boucle.expire");

/** What the timer heap holds. */
export interface TimerEntry {
  /** Absolute loop time (ms, `loop.time()` scale) at which it is due. */
  readonly when: number;
  /** @internal Arrival order, set by the heap: breaks ties between equal deadlines (FIFO). */
  seq: number;
  /** @internal true while the entry sits in the heap */
  scheduled: boolean;
  /** A cancelled entry is skipped (lazily removed). */
  cancelled(): boolean;
  /**
   * @internal Due now (the loop's timer phase): return what to run in this
   * iteration, or undefined when the entry did its work itself (a sleep
   * wakes its task, which is then ready in this same iteration).
   */
  [EXPIRE](): Runnable | undefined;
}

/** Rebuild only past this size: compacting a small heap isn't worth it. */
const COMPACT_MIN_CANCELLED = 64;

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

export class TimerHeap {
  #heap: TimerEntry[] = [];
  #cancelled = 0;
  #seq = 0;

  /** Timers not yet cancelled. */
  get size(): number {
    return this.#heap.length - this.#cancelled;
  }

  /** Entries held, cancelled ones included (for tests of the compaction). */
  get length(): number {
    return this.#heap.length;
  }

  push(timer: TimerEntry): void {
    const heap = this.#heap;
    timer.seq = this.#seq++;
    timer.scheduled = true;
    heap.push(timer);
    this.#siftUp(heap.length - 1);
  }

  /** The deadline of the earliest live timer, or undefined. */
  nextDeadline(): number | undefined {
    this.#dropCancelledTop();
    return this.#heap[0]?.when;
  }

  /** Remove and return the earliest live timer if it is due at `now`. */
  popDue(now: number): TimerEntry | undefined {
    this.#dropCancelledTop();
    const top = this.#heap[0];
    if (top === undefined || top.when > now) return undefined;
    this.#popTop();
    return top;
  }

  /** Called when a timer still in the heap (`timer.scheduled`) is cancelled. */
  noteCancelled(): void {
    this.#cancelled++;
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.#heap.length) {
      this.#compact();
    }
  }

  clear(): void {
    for (const t of this.#heap) t.scheduled = false;
    this.#heap = [];
    this.#cancelled = 0;
  }

  #dropCancelledTop(): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.cancelled()) {
      this.#popTop();
      this.#cancelled--;
    }
  }

  #compact(): void {
    this.#heap = this.#heap.filter((t) => {
      if (t.cancelled()) t.scheduled = false;
      return !t.cancelled();
    });
    this.#cancelled = 0;
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #popTop(): void {
    const heap = this.#heap;
    heap[0]!.scheduled = false;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}
