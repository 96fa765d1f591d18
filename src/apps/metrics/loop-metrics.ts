/**
 * The event loop's health (`loop.stats()`, src/loop) as Prometheus
 * families: timer lag and iteration duration as summaries (p50 and p99 over
 * the loop's recent window, sum and count since it started), their maxima,
 * iterations, steps, live tasks and time parked.
 */
import type { DurationSummary, EventLoop, LoopStats } from "../../loop/index.ts";
import type { MetricsRegistry } from "./exposition.ts";

const MS_PER_SECOND = 1000;

/** Register the loop families, each reading one `loop.stats()` per scrape. */
export function registerLoopMetrics(registry: MetricsRegistry, loop: EventLoop): void {
  // Why one snapshot per scrape: stats() sorts the windows; the families of one scrape share it.
  let snapshot: LoopStats = loop.stats();
  registry.onScrape(() => (snapshot = loop.stats()));
  registry.counter("boucle_loop_iterations_total", "Iterations of the event loop.", () => snapshot.iterations);
  registry.counter("boucle_loop_steps_total", "Callbacks and task steps the loop ran.", () => snapshot.steps);
  registry.gauge("boucle_loop_tasks", "Live tasks.", () => snapshot.tasks);
  registry.counter("boucle_loop_parked_seconds_total", "Time the loop spent parked, waiting for I/O or a timer, in seconds.", () => snapshot.parkedMs / MS_PER_SECOND);
  registry.summary("boucle_loop_lag_seconds", "How late timers ran after their deadline, in seconds (quantiles over the recent window).", () => inSeconds(snapshot.lag));
  registry.gauge("boucle_loop_lag_max_seconds", "The latest a timer ever ran after its deadline, in seconds.", () => snapshot.lag.maxMs / MS_PER_SECOND);
  registry.summary("boucle_loop_iteration_duration_seconds", "Duration of loop iterations (a sample of them), in seconds (quantiles over the recent window).", () => inSeconds(snapshot.iteration));
  registry.gauge("boucle_loop_iteration_max_seconds", "The longest measured loop iteration, in seconds.", () => snapshot.iteration.maxMs / MS_PER_SECOND);
}

function inSeconds(summary: DurationSummary): { quantiles: [number, number][]; sum: number; count: number } {
  return {
    quantiles: [
      [0.5, summary.p50Ms / MS_PER_SECOND],
      [0.99, summary.p99Ms / MS_PER_SECOND],
    ],
    sum: summary.sumMs / MS_PER_SECOND,
    count: summary.count,
  };
}
