/**
 * Latency recording on a real HDR histogram (hdr-histogram-js), so the
 * load test's percentiles are those of every sample, not of a sorted
 * sample or a hand-rolled bucket scheme.
 *
 * Invariant: values are stored in whole microseconds from 1 µs to 60 s with
 * 3 significant digits, i.e. each reported percentile is within 0.1% of
 * the true sample value. The pure-JS histogram is used (not WASM) so
 * recording is synchronous and needs no initialisation.
 */
import { build } from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

/** Smallest trackable latency, in microseconds. */
const LOWEST_US = 1;
/** Largest trackable latency, in microseconds (60 s): longer samples are clamped to it. */
const HIGHEST_US = 60_000_000;
const US_PER_MS = 1000;

/** Summary of a latency distribution; every value is in milliseconds. */
export interface Percentiles {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
  /** Largest sample (to the histogram's resolution). */
  max: number;
  /** Arithmetic mean of the samples. */
  mean: number;
  /** Number of samples; when 0 every other field is 0. */
  count: number;
}

/**
 * Records latencies in milliseconds and reports percentiles in milliseconds.
 *
 * @example
 * const latency = new LatencyRecorder();
 * latency.record(performance.now() - sentAtMs);
 * const { p99 } = latency.percentiles();
 */
export class LatencyRecorder {
  readonly #histogram: Histogram = build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: false,
  });

  /**
   * Records one sample. Sub-microsecond samples count as 0 µs; samples
   * above 60 s are clamped to 60 s.
   *
   * @throws RangeError if `ms` is negative or not finite: a latency like
   * that is a clock bug, and hiding it would falsify the figures.
   */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`invalid latency ${ms} ms`);
    this.#histogram.recordValue(Math.min(Math.round(ms * US_PER_MS), HIGHEST_US));
  }

  /**
   * Percentiles, max, mean and count of everything recorded so far, in ms.
   * Each percentile is at most `max`.
   */
  percentiles(): Percentiles {
    const histogram = this.#histogram;
    const count = histogram.totalCount;
    if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
    const maxUs = histogram.maxValue;
    // Why the clamp: a percentile is reported as the top of its bucket (up
    // to 0.1% above the samples in it), while maxValue is the largest sample
    // itself, so p99 could print above max (75.647 > 75.633).
    const at = (percentile: number): number => Math.min(histogram.getValueAtPercentile(percentile), maxUs) / US_PER_MS;
    return {
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: maxUs / US_PER_MS,
      mean: histogram.mean / US_PER_MS,
      count,
    };
  }
}
