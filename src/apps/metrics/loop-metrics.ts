/**
 * The event loop's health (`loop.stats()`, src/loop) as Prometheus
 * families: timer lag and iteration duration as summaries (p50 and p99 over
 * the loop's recent window, sum and count since it started), their maxima,
 * iterations, steps, live tasks and time parked.
 */
import type { DurationSummary, EventLoop, LoopStats } from "../../loop/index.ts";
import type { MetricsRegistry } from "./exposition.ts";

/**
 * Milliseconds as seconds, to the nanosecond. Why round: the loop's times
 * are differences of performance.now() readings, whose float noise would
 * otherwise print as 0.0007372220000002017.
 */
function seconds(ms: number): number {
  return Math.round(ms * 1e6) / 1e9;
}

/** Register the loop families, each reading one `loop.stats()` per scrape. */
export function registerLoopMetrics(registry: MetricsRegistry, loop: EventLoop): void {
  // Why one snapshot per scrape: stats() sorts the windows; the families of one scrape share it.
  let snapshot: LoopStats = loop.stats();
  registry.onScrape(() => (snapshot = loop.stats()));
  registry.counter("boucle_loop_iterations_total", "Iterations of the event loop.", () => snapshot.iterations);
  registry.counter("boucle_loop_steps_total", "Callbacks and task steps the loop ran.", () => snapshot.steps);
  registry.gauge("boucle_loop_tasks", "Live tasks.", () => snapshot.tasks);
  registry.counter("boucle_loop_parked_seconds_total", "Time the loop spent parked, waiting for I/O or a timer, in seconds.", () => seconds(snapshot.parkedMs));
  registry.summary("boucle_loop_lag_seconds", "How late timers ran after their deadline, in seconds (quantiles over the recent window).", () => inSeconds(snapshot.lag));
  registry.gauge("boucle_loop_lag_max_seconds", "The latest a timer ever ran after its deadline, in seconds.", () => seconds(snapshot.lag.maxMs));
  registry.summary("boucle_loop_iteration_duration_seconds", "Duration of loop iterations (a sample of them), in seconds (quantiles over the recent window).", () => inSeconds(snapshot.iteration));
  registry.gauge("boucle_loop_iteration_max_seconds", "The longest measured loop iteration, in seconds.", () => seconds(snapshot.iteration.maxMs));
}

function inSeconds(summary: DurationSummary): { quantiles: [number, number][]; sum: number; count: number } {
  return {
    quantiles: [
      [0.5, seconds(summary.p50Ms)],
      [0.99, seconds(summary.p99Ms)],
    ],
    sum: seconds(summary.sumMs),
    count: summary.count,
  };
}
