import { describe, expect, it } from "vitest";
import { formatValue, MetricsRegistry } from "../../../src/apps/metrics/exposition.ts";
import { exponentialBounds, Histogram } from "../../../src/apps/metrics/histogram.ts";
import { parseScrape, sampleValue } from "./prometheus-oracle.ts";

describe("MetricsRegistry", () => {
  it("renders HELP, TYPE and the value read at scrape time, which the oracle parses", () => {
    const registry = new MetricsRegistry();
    const counters = { lines: 0 };
    registry.counter("demo_lines_total", "Lines seen.", () => counters.lines);
    registry.gauge("demo_clients", "Clients now.", () => 3);
    counters.lines = 41;
    counters.lines++;
    const body = registry.render();
    expect(body).toBe(
      "# HELP demo_lines_total Lines seen.\n# TYPE demo_lines_total counter\ndemo_lines_total 42\n" +
        "# HELP demo_clients Clients now.\n# TYPE demo_clients gauge\ndemo_clients 3\n",
    );
    const families = parseScrape(body);
    expect(families.get("demo_lines_total")).toMatchObject({ help: "Lines seen.", type: "COUNTER" });
    expect(sampleValue(families, "demo_clients")).toBe(3);
  });

  it("escapes label values and HELP text as the format says", () => {
    const registry = new MetricsRegistry();
    registry.labelledCounter("demo_paths_total", 'Paths, with a \\ and a\nnewline; "quotes" stay.', "path", () => [
      ['C:\\dir\\"file"', 1],
      ["two\nlines", 2],
    ]);
    const body = registry.render();
    expect(body).toContain('# HELP demo_paths_total Paths, with a \\\\ and a\\nnewline; "quotes" stay.\n');
    expect(body).toContain('demo_paths_total{path="C:\\\\dir\\\\\\"file\\""} 1\n');
    expect(body).toContain('demo_paths_total{path="two\\nlines"} 2\n');
    const families = parseScrape(body);
    expect(sampleValue(families, "demo_paths_total", { path: 'C:\\dir\\"file"' })).toBe(1);
    expect(sampleValue(families, "demo_paths_total", { path: "two\nlines" })).toBe(2);
  });

  it("renders a histogram cumulatively, with +Inf, sum and count", () => {
    const registry = new MetricsRegistry();
    const histogram = new Histogram([1, 10, 100]);
    for (const value of [0.5, 1, 5, 50, 500, 5000]) histogram.observe(value);
    registry.histogram("demo_size_bytes", "Sizes.", histogram);
    const body = registry.render();
    expect(body).toContain('demo_size_bytes_bucket{le="1"} 2\ndemo_size_bytes_bucket{le="10"} 3\ndemo_size_bytes_bucket{le="100"} 4\ndemo_size_bytes_bucket{le="+Inf"} 6\n');
    const [sample] = parseScrape(body).get("demo_size_bytes")!.metrics;
    expect(sample).toEqual({ buckets: { "1": "2", "10": "3", "100": "4", "+Inf": "6" }, sum: "5556.5", count: "6" });
  });

  it("renders a summary's quantiles, sum and count", () => {
    const registry = new MetricsRegistry();
    registry.summary("demo_lag_seconds", "Lag.", () => ({ quantiles: [[0.5, 0.001], [0.99, 0.02]], sum: 1.5, count: 300 }));
    const [sample] = parseScrape(registry.render()).get("demo_lag_seconds")!.metrics;
    expect(sample).toEqual({ quantiles: { "0.5": "0.001", "0.99": "0.02" }, sum: "1.5", count: "300" });
  });

  it("takes one snapshot per scrape for the families that share it", () => {
    const registry = new MetricsRegistry();
    let scrapes = 0;
    let snapshot = { a: 0, b: 0 };
    registry.onScrape(() => (snapshot = { a: ++scrapes, b: scrapes * 10 }));
    registry.gauge("demo_a", "A.", () => snapshot.a);
    registry.gauge("demo_b", "B.", () => snapshot.b);
    registry.render();
    const families = parseScrape(registry.render());
    expect([sampleValue(families, "demo_a"), sampleValue(families, "demo_b"), scrapes]).toEqual([2, 20, 2]);
  });

  it("refuses malformed names, a repeated name and a counter not named _total", () => {
    const registry = new MetricsRegistry();
    expect(() => registry.gauge("1bad", "x", () => 0)).toThrow(/not a Prometheus name/);
    expect(() => registry.gauge("bad-name", "x", () => 0)).toThrow(/not a Prometheus name/);
    expect(() => registry.counter("demo_lines", "x", () => 0)).toThrow(/must be named \.\.\._total/);
    expect(() => registry.labelledGauge("demo_x", "x", "__reserved", () => [])).toThrow(/not a Prometheus label name/);
    registry.gauge("demo_once", "x", () => 0);
    expect(() => registry.gauge("demo_once", "x", () => 0)).toThrow(/registered twice/);
  });

  it("spells infinities and NaN as the format does", () => {
    expect([formatValue(Number.POSITIVE_INFINITY), formatValue(Number.NEGATIVE_INFINITY), formatValue(Number.NaN), formatValue(0.25), formatValue(1e21)]).toEqual([
      "+Inf",
      "-Inf",
      "NaN",
      "0.25",
      "1e+21",
    ]);
  });
});

describe("Histogram", () => {
  it("counts a value equal to a bound in that bound's bucket", () => {
    const histogram = new Histogram([0, 1024]);
    for (const value of [0, 0, 1024, 1025]) histogram.observe(value);
    expect([histogram.counts, histogram.sum, histogram.count]).toEqual([[2, 1, 1], 2049, 4]);
  });

  it("refuses bounds that are empty, unordered or infinite", () => {
    expect(() => new Histogram([])).toThrow(RangeError);
    expect(() => new Histogram([2, 1])).toThrow(RangeError);
    expect(() => new Histogram([1, 1])).toThrow(RangeError);
    expect(() => new Histogram([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });

  it("makes exponential bounds", () => {
    expect(exponentialBounds(1024, 4, 4)).toEqual([1024, 4096, 16384, 65536]);
  });
});
