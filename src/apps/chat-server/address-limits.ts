/**
 * Per-address limits on connections (`--max-per-ip`, `--connect-rate`,
 * `--connect-burst`): how many one address group (see address.ts) may hold
 * at once, and how fast it may open new ones, on the loop's clock.
 *
 * Why a token bucket for connects as well as a count: a reconnect loop
 * stays under any count (it closes as fast as it opens) yet costs the
 * server a welcome, a join and a leave each time.
 */
import { TokenBucket } from "../chat/token-bucket.ts";

export interface AddressLimitOptions {
  /** Connections at once per address group; 0 means no limit. */
  maxPerAddress: number;
  /** New connections per second per address group, sustained; 0 means no limit. */
  connectsPerSec: number;
  /** New connections at once per address group. */
  connectBurst: number;
  /** The loop's clock, in ms. */
  now: () => number;
}

/** Why a connection was refused. */
export type Refusal = "too many" | "too fast";

interface Entry {
  connections: number;
  readonly bucket: TokenBucket | null;
  /** When the bucket is full again if no one connects: then the entry may go. */
  idleFrom: number;
}

/**
 * Groups with no connection are forgotten once their bucket has refilled,
 * swept at most once per this many admissions. Why: memory stays bounded by
 * the groups seen lately, whatever a scan of addresses tries.
 */
const SWEEP_EVERY = 1024;

/**
 * Counts connections per address group and throttles how fast each opens
 * them.
 *
 * @example
 * const limits = new AddressLimits({ maxPerAddress: 10, connectsPerSec: 2, connectBurst: 10, now: () => loop.time() });
 * const refusal = limits.admit("127.0.0.1"); // undefined: admitted; call release() when it closes
 */
export class AddressLimits {
  readonly #options: AddressLimitOptions;
  readonly #entries = new Map<string, Entry>();
  #admissions = 0;

  constructor(options: AddressLimitOptions) {
    this.#options = options;
  }

  /**
   * Counts one more connection from `group`, or says why it is refused.
   * Every attempt costs a connect token, refused ones too.
   */
  admit(group: string): Refusal | undefined {
    if (++this.#admissions % SWEEP_EVERY === 0) this.#sweep();
    const { maxPerAddress, connectsPerSec, connectBurst, now } = this.#options;
    let entry = this.#entries.get(group);
    if (!entry) {
      const bucket = connectsPerSec > 0 ? new TokenBucket({ ratePerSec: connectsPerSec, burst: connectBurst, now }) : null;
      entry = { connections: 0, bucket, idleFrom: 0 };
      this.#entries.set(group, entry);
    }
    entry.idleFrom = now() + (connectsPerSec > 0 ? (1000 * connectBurst) / connectsPerSec : 0);
    if (entry.bucket !== null && !entry.bucket.take()) return "too fast";
    if (maxPerAddress > 0 && entry.connections >= maxPerAddress) return "too many";
    entry.connections++;
    return undefined;
  }

  /** One connection from `group` that {@link admit} counted has closed. */
  release(group: string): void {
    const entry = this.#entries.get(group);
    if (entry) entry.connections--;
  }

  /** Connections counted for `group`, for tests and logs. */
  connections(group: string): number {
    return this.#entries.get(group)?.connections ?? 0;
  }

  /** Address groups remembered, for tests. */
  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.#options.now();
    for (const [group, entry] of this.#entries) {
      if (entry.connections === 0 && now >= entry.idleFrom) this.#entries.delete(group);
    }
  }
}
