import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/apps/metrics/exposition.ts";
import { registerLoopMetrics } from "../../../src/apps/metrics/loop-metrics.ts";
import { sleep } from "../../../src/loop/index.ts";
import { runVirtual } from "../../loop/helpers.ts";
import { parseScrape, sampleValue } from "./prometheus-oracle.ts";

describe("registerLoopMetrics", () => {
  it("renders what loop.stats() says at the scrape, in seconds", async () => {
    const { value } = await runVirtual(function* (loop) {
      const registry = new MetricsRegistry();
      registerLoopMetrics(registry, loop);
      for (let i = 0; i < 5; i++) yield* sleep(250);
      return { body: registry.render(), stats: loop.stats() };
    });
    const families = parseScrape(value.body);
    const { stats } = value;
    expect(sampleValue(families, "boucle_loop_iterations_total")).toBe(stats.iterations);
    expect(sampleValue(families, "boucle_loop_steps_total")).toBe(stats.steps);
    expect(sampleValue(families, "boucle_loop_tasks")).toBe(stats.tasks);
    expect(sampleValue(families, "boucle_loop_parked_seconds_total")).toBe(stats.parkedMs / 1000);
    expect(stats.parkedMs).toBe(1250); // The virtual clock jumped 5 x 250 ms.
    const [lag] = families.get("boucle_loop_lag_seconds")!.metrics;
    expect(lag).toEqual({ quantiles: { "0.5": String(stats.lag.p50Ms / 1000), "0.99": String(stats.lag.p99Ms / 1000) }, count: String(stats.lag.count), sum: String(stats.lag.sumMs / 1000) });
    expect(stats.lag.count).toBe(5);
    expect(families.get("boucle_loop_iteration_duration_seconds")?.type).toBe("SUMMARY");
  });
});
