import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/apps/cli/args.ts";
import { parseOptions } from "../../../src/apps/loadtest/options.ts";

describe("loadtest options", () => {
  it("has defaults per mode", () => {
    expect(parseOptions([])).toMatchObject({ mode: "chat", port: 7777, clients: 10, messages: null, durationMs: 10_000, pipeline: 8, rampPerSecond: 500, room: "#loadtest", json: false, progress: true });
    expect(parseOptions(["--mode", "echo"])).toMatchObject({ mode: "echo", port: 7007, pipeline: 1 });
  });

  it("reads seconds as decimals and the ramp as N/s", () => {
    expect(parseOptions(["--duration", "0.5", "--warmup", "1.25", "--ramp", "2000/s", "--rate", "2.5", "--no-progress"])).toMatchObject({
      durationMs: 500,
      warmupMs: 1250,
      rampPerSecond: 2000,
      rate: 2.5,
      progress: false,
    });
  });

  it("returns null for --help", () => {
    expect(parseOptions(["--help"])).toBeNull();
  });

  it("refuses bad values with a UsageError naming the flag", () => {
    for (const [argv, flag] of [
      [["--mode", "ftp"], "--mode"],
      [["--clients", "0"], "--clients"],
      [["--mode", "chat", "--clients", "1"], "--clients 2"],
      [["--duration", "soon"], "--duration"],
      [["--ramp", "fast"], "--ramp"],
      [["--room", "lobby"], "--room"],
      [["--size", "5000"], "--size"],
      [["--bogus"], "bogus"],
    ] as const) {
      expect(() => parseOptions([...argv])).toThrow(UsageError);
      expect(() => parseOptions([...argv])).toThrow(flag);
    }
  });
});
