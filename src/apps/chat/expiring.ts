/**
 * A set whose entries may expire: address bans and mutes, each for some
 * minutes or until lifted, on the clock the hub is given.
 */

/**
 * Entries with an optional deadline; an expired entry is gone the next time
 * anyone looks.
 *
 * @example
 * const bans = new Expiring<string>(() => loop.time());
 * bans.add("10.0.0.7", 10 * 60_000);
 * bans.has("10.0.0.7"); // true for 10 minutes
 */
export class Expiring<K> {
  readonly #until = new Map<K, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Adds (or renews) `key` for `durationMs`, or until removed when undefined. */
  add(key: K, durationMs?: number): void {
    this.#until.set(key, durationMs === undefined ? Infinity : this.#now() + durationMs);
  }

  /** Removes `key`; says whether it was there. */
  delete(key: K): boolean {
    return this.has(key) && this.#until.delete(key);
  }

  has(key: K): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(key);
    return false;
  }

  /** Milliseconds left for `key`: Infinity until removed, 0 if absent. */
  remainingMs(key: K): number {
    return this.has(key) ? this.#until.get(key)! - this.#now() : 0;
  }

  /** The live entries with their milliseconds left, oldest first. */
  entries(): [K, number][] {
    const out: [K, number][] = [];
    for (const key of [...this.#until.keys()]) if (this.has(key)) out.push([key, this.remainingMs(key)]);
    return out;
  }
}
