/**
 * What a newcomer hit with `boucle loadtest`, each against a real server:
 * a warm-up that swallows the whole run, a mode that does not match the
 * server, and a CPU warning printed when nothing was measured.
 */
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../src/apps/loadtest/main.ts";
import { formatSummary } from "../../../src/apps/loadtest/report.ts";
import type { LoadtestJson } from "../../../src/apps/loadtest/report.ts";
import { cleanup, startApp } from "../helpers.ts";

afterEach(cleanup);

async function loadtest(args: string[]): Promise<{ code: number; json: LoadtestJson }> {
  let stdout = "";
  const code = await main([...args, "--json", "--no-progress"], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { isTTY: false, write: () => true },
  });
  return { code, json: JSON.parse(stdout) as LoadtestJson };
}

describe("boucle loadtest on a newcomer's mistakes", () => {
  it("fails a run whose measured window is empty (--warmup 2 -n 100) instead of passing with 0 msg/s", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "2", "--messages", "100", "--warmup", "2"]);
    expect(json).toMatchObject({ sent: 200, received: 200, lost: 0, measuredReceived: 0, messagesPerSecond: 0 });
    expect(json.verdict.passed).toBe(false);
    expect(json.verdict.reasons).toEqual([
      "the measured window is empty: everything arrived during the warm-up (use a shorter --warmup or more --messages)",
    ]);
    expect(code).toBe(1);
  });

  it("--mode echo against a chat server says the server speaks chat", async () => {
    const { port } = await startApp("chat-server", ["--quiet"]);
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "2", "--messages", "5", "--drain-timeout", "1"]);
    expect(code).toBe(1);
    expect(json.verdict.reasons[0]).toBe(`the server on port ${port} does not speak the echo protocol: it greets like a chat server (try --mode chat)`);
    expect(json.errors["chat-greeting"]).toBe(2);
  });

  it("--mode chat against an echo server says the server does not speak chat", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const { code, json } = await loadtest(["--mode", "chat", "--port", String(port), "--clients", "2", "--messages", "5", "--connect-timeout", "1"]);
    expect(code).toBe(1);
    expect(json.verdict.reasons[0]).toBe(
      `the server on port ${port} does not speak the chat protocol: it sent no welcome line (an echo server waits for input; try --mode echo)`,
    );
  });

  it("prints no 'load generator was busy' warning for a run that sent nothing", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const { json } = await loadtest(["--mode", "chat", "--port", String(port), "--clients", "2", "--messages", "5", "--connect-timeout", "1"]);
    expect(json.sent).toBe(0);
    const summary = formatSummary({ ...json, clientCpuPercent: 161 }); // what a short run's ratio can read
    expect(summary).toMatch(/^ {2}client cpu {5}- \(nothing was sent\)$/m);
    expect(summary).not.toContain("busy");
  });
});
