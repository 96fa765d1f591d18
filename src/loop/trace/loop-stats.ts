/**
 * Loop health counters, cheap enough to stay on: `loop.stats()`.
 *
 * What it costs the loop: two integer updates per iteration, one number
 * stored per timer that fires (its lateness, computed from the clock read
 * the loop does anyway to find due timers), two clock reads every
 * {@link ITERATION_SAMPLE_EVERY} iterations, and one at each park and
 * wake-up (which already cost a Node timer). Percentiles are computed only
 * when `snapshot()` is called, over the last {@link WINDOW} samples.
 */

/** Iteration duration is measured on one iteration in this many (a power of two). */
export const ITERATION_SAMPLE_EVERY = 64;
/** Samples kept for the percentiles: recent enough to show a spike, large enough for a p99. */
const WINDOW = 1024;

/** Count, sum and percentiles of a recent window of durations (ms). */
export interface DurationSummary {
  count: number;
  sumMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What `loop.stats()` returns. New fields may be added; none removed or renamed. */
export interface LoopStats {
  /** Iterations since the loop was created. */
  iterations: number;
  /** Callbacks and task steps run. */
  steps: number;
  /** Live tasks. */
  tasks: number;
  /** Timer lateness: deadline -> when it ran. p50/p99/max over a recent window; count and sum since creation. */
  lag: DurationSummary;
  /** Iteration duration (sampled one in {@link ITERATION_SAMPLE_EVERY}). */
  iteration: DurationSummary;
  /** Total time parked waiting for I/O or a timer (with the virtual clock: the time jumped). */
  parkedMs: number;
}

/** A fixed window of the latest samples, plus totals since the start. */
class SampleWindow {
  readonly #samples = new Float64Array(WINDOW);
  #count = 0;
  #sum = 0;
  #max = 0;

  add(ms: number): void {
    this.#samples[this.#count % WINDOW] = ms;
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  summary(): DurationSummary {
    const kept = this.#samples.slice(0, Math.min(this.#count, WINDOW)).sort();
    return { count: this.#count, sumMs: this.#sum, p50Ms: quantile(kept, 0.5), p99Ms: quantile(kept, 0.99), maxMs: this.#max };
  }
}

/** Nearest-rank quantile of sorted samples; 0 when there are none. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * The loop's health counters. The loop owns one and feeds it; the fields
 * are public so the loop's hot path updates them without a call.
 */
export class LoopHealth {
  iterations = 0;
  steps = 0;
  parkedMs = 0;
  readonly #lag = new SampleWindow();
  readonly #iteration = new SampleWindow();

  /** A timer ran `ms` after its deadline. */
  noteLag(ms: number): void {
    this.#lag.add(ms);
  }

  /** A sampled iteration took `ms`. */
  noteIteration(ms: number): void {
    this.#iteration.add(ms);
  }

  /** The loop was parked (or jumped its virtual clock) for `ms`. */
  noteParked(ms: number): void {
    this.parkedMs += ms;
  }

  snapshot(tasks: number): LoopStats {
    return {
      iterations: this.iterations,
      steps: this.steps,
      tasks,
      lag: this.#lag.summary(),
      iteration: this.#iteration.summary(),
      parkedMs: this.parkedMs,
    };
  }
}
