/**
 * The loop's ready queue: runnables ordered by (priority, arrival).
 *
 * A bucket queue: one ring-buffer FIFO per priority level, plus the sorted
 * list of levels. Priorities are few (a handful of integers), so a push and a
 * pop are O(1) in practice and never worse than O(levels); nothing is
 * allocated once the buckets have grown to their working size.
 */

/** The method the loop calls on a ready item (a symbol, so Task's public API stays clean). */
export const RUN: unique symbol = Symbol("boucle.run");

/** Something the loop can run: a Handle or a Task's next step. */
export interface Runnable {
  [RUN](): void;
}

/** A ring-buffer FIFO of runnables: no allocation once it has grown. */
class Fifo {
  #items: (Runnable | undefined)[] = new Array(16);
  #head = 0;
  size = 0;

  push(item: Runnable): void {
    if (this.size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.size) & (this.#items.length - 1)] = item;
    this.size++;
  }

  shift(): Runnable {
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined; // Why: let finished work be collected.
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.size--;
    return item;
  }

  clear(): void {
    this.#items = new Array(16);
    this.#head = 0;
    this.size = 0;
  }

  #grow(): void {
    const old = this.#items;
    const items = new Array<Runnable | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }
}

export class ReadyQueue {
  /** Priority 0, the default, skips the map lookup. */
  readonly #normal = new Fifo();
  readonly #byPriority = new Map<number, Fifo>([[0, this.#normal]]);
  /** Every level seen so far, ascending (most urgent first), with its bucket. */
  readonly #levels: { priority: number; fifo: Fifo }[] = [{ priority: 0, fifo: this.#normal }];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: Runnable, priority: number): void {
    const fifo = priority === 0 ? this.#normal : (this.#byPriority.get(priority) ?? this.#addLevel(priority));
    fifo.push(item);
    this.#size++;
  }

  /** The most urgent item, FIFO within its priority; undefined when empty. */
  shift(): Runnable | undefined {
    if (this.#size === 0) return undefined;
    this.#size--;
    const levels = this.#levels;
    if (levels.length === 1) return this.#normal.shift();
    for (let i = 0; ; i++) {
      const fifo = levels[i]!.fifo;
      if (fifo.size > 0) return fifo.shift();
    }
  }

  clear(): void {
    for (const { fifo } of this.#levels) fifo.clear();
    this.#size = 0;
  }

  /** Levels are kept once seen: programs use a handful of priorities. */
  #addLevel(priority: number): Fifo {
    const fifo = new Fifo();
    this.#byPriority.set(priority, fifo);
    const levels = this.#levels;
    let i = levels.length;
    while (i > 0 && levels[i - 1]!.priority > priority) i--;
    levels.splice(i, 0, { priority, fifo });
    return fifo;
  }
}
