/**
 * `boucle loadtest --scenario`: each scenario runs against a real chat
 * server, small and short, and reports the probe at rest and under attack.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ScenarioResult } from "../../../src/apps/loadtest/scenarios.ts";
import { cleanup, runApp, startApp } from "../helpers.ts";

afterEach(cleanup);

async function scenario(name: string, args: string[]): Promise<ScenarioResult> {
  const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0"]);
  const run = await runApp(["loadtest", "--scenario", name, "--port", String(port), "--rest", "1", "--duration", "1.5", "--json", ...args], 60_000);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ScenarioResult;
}

describe("boucle loadtest --scenario", () => {
  it.each([
    ["crowd", ["--clients", "100"]],
    ["churn", ["--clients", "60", "--churn", "20/s"]],
    ["slow-readers", ["--clients", "30", "--flooders", "3"]],
    ["silent", ["--clients", "100"]],
  ])("%s measures the probe at rest and under attack", async (name, args) => {
    const result = await scenario(name, args);
    expect(result.scenario).toBe(name);
    // 10 probe lines a second: about 10 at rest (1 s) and 15 under attack (1.5 s).
    expect(result.rest.line.count).toBeGreaterThanOrEqual(5);
    expect(result.attack.line.count).toBeGreaterThanOrEqual(8);
    expect(result.rest.welcome.count).toBeGreaterThanOrEqual(1);
    expect(result.attack.line.p99).toBeGreaterThan(0);
    expect(result.attackers.failed).toBe(0);
    expect(result.errors).toEqual({});
    const clients = Number(args[1]);
    expect(result.attackers.connected).toBeGreaterThanOrEqual(clients);
    if (name === "crowd") {
      expect(result.attackers.welcomed).toBe(clients);
      expect(result.attackers.lastWelcomeAfterLastConnectMs).not.toBeNull();
    }
    if (name === "slow-readers") expect(result.attackers.evicted).toBe(0); // 1.5 s of 3 flooders fits in their kernel buffers.
  }, 60_000);

  it("refuses an unknown scenario with the list of known ones", async () => {
    const run = await runApp(["loadtest", "--scenario", "stampede"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('boucle loadtest: --scenario must be one of crowd, churn, slow-readers, silent, not "stampede"\n');
  });
});
