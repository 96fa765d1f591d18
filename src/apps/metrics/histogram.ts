/**
 * A Prometheus histogram: counts of observations per bucket (upper bounds,
 * fixed at creation), their sum and their count. Observing is a short
 * scan and three additions, cheap enough for a per-client sample each
 * second or a per-step round trip; exposition.ts renders it cumulatively.
 */

/**
 * @example
 * const queue = new Histogram([1024, 16384, 1048576]);
 * queue.observe(2000); // counted in the 16384 bucket (and every larger one when rendered)
 */
export class Histogram {
  /** Upper bounds, ascending; `+Inf` is implied. */
  readonly bounds: readonly number[];
  /** Observations per bucket, not cumulative; `counts[bounds.length]` holds those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  /** @throws RangeError if the bounds are empty, not finite, or not strictly ascending. */
  constructor(bounds: readonly number[]) {
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
      throw new RangeError(`histogram bounds must be finite and strictly ascending, not [${bounds.join(", ")}]`);
    }
    this.bounds = [...bounds];
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * `count` bounds from `start`, each `factor` times the last (Prometheus'
 * ExponentialBuckets), e.g. `exponentialBounds(1024, 4, 6)`: 1 KiB to 1 MiB.
 */
export function exponentialBounds(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}
