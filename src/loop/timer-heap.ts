/**
 * The loop's timers: a binary min-heap on (when, seq), so timers fire in
 * deadline order and FIFO on ties (the heap numbers entries as they come).
 * Push and pop are O(log n), O(1) for timers arriving in deadline order
 * (see #run). An entry is a TimerHandle (a callback) or a
 * sleep's own future (see sleep.ts): anything with a deadline that can say
 * what to do once due.
 *
 * Cancellation is lazy: a cancelled timer stays in the heap and is skipped
 * when it reaches the top. Why: removing from the middle of a heap costs a
 * search. When most of the heap is cancelled timers (a server whose read
 * timeouts are almost always cancelled), it is rebuilt without them.
 */
import type { Runnable } from "./ready-queue.ts";
import { Ring } from "./ring.ts";

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
  /**
   * Entries that arrived in deadline order, oldest first. Why: timers of one
   * delay (every sleep(1), every connection's read timeout) arrive that way,
   * and a FIFO takes and gives them in O(1), where the heap would sift each
   * one down through log n levels of scattered memory. The rest go to the
   * heap; the earliest of the two fronts is due first.
   */
  readonly #run = new Ring<TimerEntry>();
  /** The deadline of the newest entry in #run. */
  #runLast = 0;
  #cancelled = 0;
  #seq = 0;

  /** Timers not yet cancelled. */
  get size(): number {
    return this.length - this.#cancelled;
  }

  /** Entries held, cancelled ones included (for tests of the compaction). */
  get length(): number {
    return this.#heap.length + this.#run.size;
  }

  push(timer: TimerEntry): void {
    timer.seq = this.#seq++;
    timer.scheduled = true;
    if (this.#run.size === 0 || timer.when >= this.#runLast) {
      this.#run.push(timer);
      this.#runLast = timer.when;
      return;
    }
    const heap = this.#heap;
    heap.push(timer);
    this.#siftUp(heap.length - 1);
  }

  /** The deadline of the earliest live timer, or undefined. */
  nextDeadline(): number | undefined {
    return this.#front()?.when;
  }

  /** Remove and return the earliest live timer if it is due at `now`. */
  popDue(now: number): TimerEntry | undefined {
    const top = this.#front();
    if (top === undefined || top.when > now) return undefined;
    if (top === this.#run.peek()) this.#run.shift();
    else this.#popTop();
    top.scheduled = false;
    return top;
  }

  /** Called when a timer still in the heap (`timer.scheduled`) is cancelled. */
  noteCancelled(): void {
    this.#cancelled++;
    if (this.#cancelled >= COMPACT_MIN_CANCELLED && this.#cancelled * 2 > this.length) {
      this.#compact();
    }
  }

  clear(): void {
    for (const t of this.#heap) t.scheduled = false;
    for (let t = this.#run.shift(); t !== undefined; t = this.#run.shift()) t.scheduled = false;
    this.#heap = [];
    this.#cancelled = 0;
  }

  /** The earliest live entry of the two fronts, cancelled ones dropped on the way. */
  #front(): TimerEntry | undefined {
    const run = this.#run;
    const heap = this.#heap;
    for (let t = run.peek(); t !== undefined && t.cancelled(); t = run.peek()) {
      run.shift();
      t.scheduled = false;
      this.#cancelled--;
    }
    while (heap.length > 0 && heap[0]!.cancelled()) {
      heap[0]!.scheduled = false;
      this.#popTop();
      this.#cancelled--;
    }
    const a = run.peek();
    const b = heap[0];
    if (a === undefined) return b;
    return b === undefined || before(a, b) ? a : b;
  }

  #compact(): void {
    const keep = (t: TimerEntry): boolean => {
      if (t.cancelled()) t.scheduled = false;
      return !t.cancelled();
    };
    this.#heap = this.#heap.filter(keep);
    const run = this.#run;
    for (let n = run.size; n > 0; n--) {
      const t = run.shift()!;
      if (keep(t)) run.push(t); // Why shift and push back: the order is kept.
    }
    this.#cancelled = 0;
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Remove the heap's top (the caller has read it). */
  #popTop(): void {
    const heap = this.#heap;
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
