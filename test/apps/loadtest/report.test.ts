import { describe, expect, it } from "vitest";
import { formatSummary, toJson, verdictOf } from "../../../src/apps/loadtest/report.ts";
import type { LoadtestResult } from "../../../src/apps/loadtest/result.ts";

const percentiles = { p50: 1.234, p90: 2.5, p99: 12.75, p999: 150.5, max: 2048, mean: 1.5, count: 990_000 };

function result(overrides: Partial<LoadtestResult> = {}): LoadtestResult {
  return {
    mode: "chat",
    host: "127.0.0.1",
    port: 7777,
    startedAt: "2025-01-01T00:00:00.000Z",
    clients: 100,
    connected: 100,
    messageBytes: 64,
    messagesPerClient: 100,
    ratePerClient: null,
    pipeline: 8,
    warmupMs: 1000,
    durationMs: 5000,
    sent: 10_000,
    received: 990_000,
    expected: 990_000,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    measuredReceived: 990_000,
    messagesPerSecond: 198_000,
    megabytesPerSecond: 14.5,
    latencyMs: percentiles,
    latencyByServerMs: null,
    connectMs: { ...percentiles, count: 100 },
    clientCpuPercent: 40,
    errors: {},
    ...overrides,
  };
}

describe("verdictOf", () => {
  it("passes a clean run", () => {
    expect(verdictOf(result())).toEqual({ passed: true, reasons: [] });
  });

  it("fails and says why for each kind of fault", () => {
    const verdict = verdictOf(result({ lost: 1, duplicated: 2, reordered: 1, connected: 99, errors: { ECONNRESET: 3, quiet: 0 } }));
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons).toEqual([
      "1 message lost",
      "2 messages duplicated",
      "1 message reordered",
      "1 of 100 clients did not connect",
      "3 ECONNRESET errors",
    ]);
  });

  it("fails a run that sent nothing", () => {
    expect(verdictOf(result({ sent: 0, received: 0, expected: 0 })).reasons).toEqual(["no message was sent"]);
  });
});

describe("formatSummary", () => {
  it("prints an aligned table with every figure and a PASS line", () => {
    const text = formatSummary(result());
    expect(text).toContain("chat mode against 127.0.0.1:7777");
    expect(text).toMatch(/ {2}received {7}990,000\n/);
    expect(text).toContain("load           100 messages per client, as fast as the window allows");
    expect(text).toMatch(/throughput +198,000 msg\/s, 14\.50 MB\/s/);
    expect(text).toMatch(/latency ms +1\.234 +2\.500 +12\.75 +150\.5 +2,048 +1\.500 +990,000/);
    expect(text).toMatch(/connect ms .* 100\n/);
    expect(text).toMatch(/errors +none/);
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^PASS/);
    const header = text.split("\n").find((line) => line.includes("p99.9")) ?? "";
    const latency = text.split("\n").find((line) => line.includes("latency ms")) ?? "";
    expect(latency.length).toBe(header.length);
  });

  it("lists errors by kind and ends with a FAIL line naming the faults", () => {
    const text = formatSummary(result({ lost: 3, errors: { "connect-timeout": 2 } }));
    expect(text).toMatch(/ {4}connect-timeout +2\n/);
    expect(text.trimEnd().split("\n").at(-1)).toBe("FAIL: 3 messages lost; 2 connect-timeout errors");
  });
});

describe("toJson", () => {
  it("prints one JSON object with every field and the verdict", () => {
    const json = toJson(result({ reordered: 1 }));
    expect(json).not.toContain("\n");
    const parsed: unknown = JSON.parse(json);
    expect(parsed).toMatchObject({ mode: "chat", reordered: 1, latencyMs: { p99: 12.75 }, verdict: { passed: false } });
  });
});

describe("the client cpu row", () => {
  const cpuRow = (overrides: Partial<LoadtestResult>): string => /^ {2}client cpu +(.*)$/m.exec(formatSummary(result(overrides)))![1]!;

  it("warns that the load generator was busy only when it was, over a long enough run", () => {
    expect(cpuRow({ clientCpuPercent: 95 })).toBe("95% of one core (the load generator was busy: the figures are a lower bound of the server's capacity)");
    expect(cpuRow({ clientCpuPercent: 40 })).toBe("40% of one core");
  });

  it("does not judge a run too short to measure, nor one that sent nothing", () => {
    expect(cpuRow({ clientCpuPercent: 161, warmupMs: 0, durationMs: 20 })).toBe("161% of one core (over less than 1 s: too short to judge)");
    expect(cpuRow({ clientCpuPercent: 161, sent: 0, received: 0, expected: 0 })).toBe("- (nothing was sent)");
  });
});

describe("an empty measured window", () => {
  it("fails the verdict with the reason, even though nothing was lost", () => {
    const verdict = verdictOf(result({ measuredReceived: 0, messagesPerSecond: 0, durationMs: 0 }));
    expect(verdict).toEqual({
      passed: false,
      reasons: ["the measured window is empty: everything arrived during the warm-up (use a shorter --warmup or more --messages)"],
    });
  });
});
