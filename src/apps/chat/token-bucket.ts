/**
 * A token bucket for per-client flood control, on an injectable clock
 * (by default the running loop's, so a virtual-clock loop drives it in tests).
 */
import { getRunningLoop } from "../../loop/index.ts";

/**
 * Lines per second a client may keep up forever. Why 20: a fast typist or a
 * paste of a few lines stays far below it; a script flooding does not.
 */
export const DEFAULT_RATE_PER_SEC = 20;

/** Lines a client may send at once after a quiet spell (a pasted block). */
export const DEFAULT_BURST = 100;

/** Options of {@link TokenBucket}; every field has a default. */
export interface TokenBucketOptions {
  /** Tokens added per second; default {@link DEFAULT_RATE_PER_SEC}. */
  ratePerSec?: number;
  /** Capacity, and the tokens at start; default {@link DEFAULT_BURST}. */
  burst?: number;
  /** Clock in milliseconds; default: the running loop's `time()`. */
  now?: () => number;
}

/**
 * Allows `burst` takes at once and `ratePerSec` takes per second sustained.
 *
 * @example
 * const bucket = new TokenBucket({ ratePerSec: 20, burst: 100 });
 * if (!bucket.take()) member.send(floodNotice()); // and drop the line
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions = {}) {
    this.#ratePerMs = (options.ratePerSec ?? DEFAULT_RATE_PER_SEC) / 1000;
    this.#burst = options.burst ?? DEFAULT_BURST;
    this.#now = options.now ?? loopClock();
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /** Takes one token if there is one; `false` means the caller is over its rate. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Charges `tokens` more for work already done (a reply's size, a notice's
   * fan-out). The bucket may go into debt, down to minus one burst, and
   * refuses every `take()` until it is paid back.
   * Why a floor: one costly reply must not lock a client out for minutes.
   */
  charge(tokens: number): void {
    this.#refill();
    this.#tokens = Math.max(-this.#burst, this.#tokens - tokens);
  }

  #refill(): void {
    const now = this.#now();
    // Why max(0): a clock that steps back must not drain the bucket.
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
  }
}

/** The running loop's clock. @throws LoopStateError outside a running loop. */
function loopClock(): () => number {
  const loop = getRunningLoop();
  return () => loop.time();
}
