/**
 * The loop's ready queue: runnables ordered by (priority, arrival).
 *
 * A bucket queue: one FIFO per priority level, plus the sorted list of levels
 * in use. Priorities are few (a handful of integers), so a push and a pop are
 * O(1) in practice and never worse than O(levels); nothing is allocated once
 * the buckets have grown to their working size.
 */

/** The method the loop calls on a ready item (a symbol, so Task's public API stays clean). */
export const RUN: unique symbol = Symbol("boucle.run");

/** Something the loop can run: a Handle or a Task's next step. */
export interface Runnable {
  [RUN](): void;
}

/** A FIFO of runnables that reuses its array (no per-item allocation). */
class Fifo {
  items: (Runnable | undefined)[] = [];
  head = 0;

  push(item: Runnable): void {
    this.items.push(item);
  }

  shift(): Runnable | undefined {
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // Why: let finished work be collected.
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return item;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

export class ReadyQueue {
  readonly #buckets = new Map<number, Fifo>();
  /** Priority levels with a non-empty bucket, ascending (most urgent first). */
  readonly #levels: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: Runnable, priority: number): void {
    let bucket = this.#buckets.get(priority);
    if (bucket === undefined) {
      bucket = new Fifo();
      this.#buckets.set(priority, bucket);
    }
    if (bucket.size === 0) this.#addLevel(priority);
    bucket.push(item);
    this.#size++;
  }

  /** The most urgent item, FIFO within its priority; undefined when empty. */
  shift(): Runnable | undefined {
    if (this.#size === 0) return undefined;
    const level = this.#levels[0]!;
    const bucket = this.#buckets.get(level)!;
    const item = bucket.shift();
    this.#size--;
    if (bucket.size === 0) this.#levels.shift();
    return item;
  }

  clear(): void {
    this.#buckets.clear();
    this.#levels.length = 0;
    this.#size = 0;
  }

  #addLevel(priority: number): void {
    const levels = this.#levels;
    let i = levels.length;
    while (i > 0 && levels[i - 1]! > priority) i--;
    levels.splice(i, 0, priority);
  }
}
