import { describe, expect, it } from "vitest";
import { LatencyRecorder } from "../../../src/apps/loadtest/histogram.ts";

/** Relative precision of a 3-significant-digit HDR histogram, with a little slack for rounding to µs. */
const TOLERANCE = 0.002;

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * TOLERANCE + 0.001);
}

describe("LatencyRecorder", () => {
  it("never reports a percentile above the max (regression: p99 75.647 > max 75.633)", () => {
    const latency = new LatencyRecorder();
    for (let i = 0; i < 1000; i++) latency.record(75.633); // one bucket, whose top is above the sample
    const p = latency.percentiles();
    expect(p.max).toBe(75.633);
    for (const value of [p.p50, p.p90, p.p99, p.p999]) expect(value).toBeLessThanOrEqual(p.max);
    expect(p.p99).toBe(75.633);
  });

  it("reports the percentiles of a uniform distribution", () => {
    const latency = new LatencyRecorder();
    for (let i = 1; i <= 100_000; i++) latency.record(i / 1000); // 0.001 ms .. 100 ms
    const p = latency.percentiles();
    expect(p.count).toBe(100_000);
    expectClose(p.p50, 50);
    expectClose(p.p90, 90);
    expectClose(p.p99, 99);
    expectClose(p.p999, 99.9);
    expectClose(p.max, 100);
    expectClose(p.mean, 50.0005);
  });

  it("reports the percentiles of an exponential distribution", () => {
    const latency = new LatencyRecorder();
    const meanMs = 5;
    const n = 200_000;
    // Exact quantiles of Exp(1/5), so the p-th sample is the p-th percentile.
    for (let i = 0; i < n; i++) latency.record(-meanMs * Math.log(1 - (i + 0.5) / n));
    const p = latency.percentiles();
    expectClose(p.p50, -meanMs * Math.log(0.5));
    expectClose(p.p90, -meanMs * Math.log(0.1));
    expectClose(p.p99, -meanMs * Math.log(0.01));
    expectClose(p.p999, -meanMs * Math.log(0.001));
    expect(Math.abs(p.mean - meanMs)).toBeLessThan(0.01);
  });

  it("reports zeros when nothing was recorded", () => {
    expect(new LatencyRecorder().percentiles()).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 });
  });

  it("clamps samples above 60 s and keeps sub-microsecond ones", () => {
    const latency = new LatencyRecorder();
    latency.record(0.0001);
    latency.record(3_600_000);
    const p = latency.percentiles();
    expect(p.count).toBe(2);
    expect(p.p50).toBe(0);
    expectClose(p.max, 60_000);
  });

  it("throws RangeError on a negative or non-finite latency", () => {
    const latency = new LatencyRecorder();
    expect(() => latency.record(-1)).toThrow(RangeError);
    expect(() => latency.record(Number.NaN)).toThrow(RangeError);
    expect(latency.percentiles().count).toBe(0);
  });
});
