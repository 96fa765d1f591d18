/**
 * The loop's timers: a binary min-heap on (when, seq), so timers fire in
 * deadline order and FIFO on ties. Push and pop are O(log n).
 *
 * Cancellation is lazy: a cancelled timer stays in the heap and is skipped
 * when it reaches the top. Why: removing from the middle of a heap costs a
 * search. When most of the heap is cancelled timers (a server whose read
 * timeouts are almost always cancelled), it is rebuilt without them.
 */
import type { TimerHandle } from "./handle.ts";

/** Rebuild only past this size: compacting a small heap isn't worth it. */
const COMPACT_MIN_CANCELLED = 64;

function before(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

export class TimerHeap {
  #heap: TimerHandle[] = [];
  #cancelled = 0;

  /** Timers not yet cancelled. */
  get size(): number {
    return this.#heap.length - this.#cancelled;
  }

  /** Entries held, cancelled ones included (for tests of the compaction). */
  get length(): number {
    return this.#heap.length;
  }

  push(timer: TimerHandle): void {
    const heap = this.#heap;
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
  popDue(now: number): TimerHandle | undefined {
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
