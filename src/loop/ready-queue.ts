/**
 * The loop's ready queue: runnables ordered by (priority, arrival).
 *
 * A bucket queue: one Ring (FIFO) per priority level, plus the sorted list of
 * the levels that hold something right now. A level leaves that list as soon
 * as it empties, so `shift` never scans levels that were used once and are
 * idle; priorities are few (a handful of integers), so push and shift are
 * O(1) in practice and never worse than O(levels in use).
 */
import { Ring } from "./ring.ts";

/** The method the loop calls on a ready item (a symbol, so Task's public API stays clean). */
export const RUN: unique symbol = Symbol("boucle.run");

/** Something the loop can run: a Handle or a Task's next step. */
export interface Runnable {
  [RUN](): void;
}

interface Level {
  readonly priority: number;
  readonly ring: Ring<Runnable>;
}

/** Idle levels kept for reuse beyond this many are dropped (a program that used 1 000 priorities once). */
const MAX_IDLE_LEVELS = 16;

export class ReadyQueue {
  /** Priority 0, the default: no map lookup, never in #active. */
  readonly #normal = new Ring<Runnable>();
  /** Every non-zero level with a ring allocated, busy or idle. */
  readonly #levels = new Map<number, Level>();
  /** The non-zero levels holding items, ascending (most urgent first). */
  readonly #active: Level[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** @internal Levels with a ring allocated (for tests: idle ones are dropped). */
  get levels(): number {
    return this.#levels.size;
  }

  push(item: Runnable, priority: number): void {
    this.#size++;
    if (priority === 0) return this.#normal.push(item);
    const level = this.#levels.get(priority) ?? this.#addLevel(priority);
    if (level.ring.size === 0) this.#activate(level);
    level.ring.push(item);
  }

  /** The most urgent item, FIFO within its priority; undefined when empty. */
  shift(): Runnable | undefined {
    if (this.#size === 0) return undefined;
    this.#size--;
    const active = this.#active;
    if (active.length === 0) return this.#normal.shift();
    const first = active[0]!;
    if (first.priority > 0 && this.#normal.size > 0) return this.#normal.shift();
    const item = first.ring.shift();
    if (first.ring.size === 0) active.shift();
    return item;
  }

  clear(): void {
    this.#normal.clear();
    this.#levels.clear();
    this.#active.length = 0;
    this.#size = 0;
  }

  #addLevel(priority: number): Level {
    if (this.#levels.size >= MAX_IDLE_LEVELS + this.#active.length) {
      for (const [p, level] of this.#levels) if (level.ring.size === 0) this.#levels.delete(p);
    }
    const level = { priority, ring: new Ring<Runnable>() };
    this.#levels.set(priority, level);
    return level;
  }

  #activate(level: Level): void {
    const active = this.#active;
    let i = active.length;
    while (i > 0 && active[i - 1]!.priority > level.priority) i--;
    active.splice(i, 0, level);
  }
}
