/**
 * Ring<T>: the one FIFO type behind the ready queue, Queue and the waiter
 * lists. A power-of-two circular array: push and shift are O(1) and allocate
 * nothing once it has grown to its working size, and its storage is bounded
 * by the most it held at once, never by the total that went through it.
 * Why it never shrinks: the ready queues drain to empty every iteration,
 * and shrinking there would reallocate them every iteration.
 */

/** Smallest capacity; a power of two, so an index wraps with a mask. */
const MIN_CAPACITY = 8;

/**
 * @example
 * const ring = new Ring<string>();
 * ring.push("a");
 * ring.push("b");
 * ring.shift(); // "a"
 */
export class Ring<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow(this.#items.length * 2);
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined; // Why: let finished work be collected.
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#size--;
    return item;
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Remove the oldest occurrence of `item` (O(n): for cancelled waiters); false if absent. */
  remove(item: T): boolean {
    const items = this.#items;
    const mask = items.length - 1;
    for (let i = 0; i < this.#size; i++) {
      if (items[(this.#head + i) & mask] !== item) continue;
      for (let j = i; j < this.#size - 1; j++) items[(this.#head + j) & mask] = items[(this.#head + j + 1) & mask];
      items[(this.#head + this.#size - 1) & mask] = undefined;
      this.#size--;
      return true;
    }
    return false;
  }

  clear(): void {
    this.#items = new Array<T | undefined>(MIN_CAPACITY);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(capacity: number): void {
    const old = this.#items;
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }
}
