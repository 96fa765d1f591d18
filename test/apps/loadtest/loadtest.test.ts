/**
 * `boucle loadtest` end to end: against the project's own servers it
 * passes with nothing lost; against servers that drop, duplicate or reorder
 * one message among ~11 000 deliveries, or corrupt one echoed byte, it
 * reports that fault and exits 1.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startBaselineEchoServer } from "../../../bench/baselines/echo-server.ts";
import { run } from "../../../src/loop/index.ts";
import { main } from "../../../src/apps/loadtest/main.ts";
import { parseOptions } from "../../../src/apps/loadtest/options.ts";
import { loadtest as loadtestCoro } from "../../../src/apps/loadtest/run.ts";
import type { LoadtestJson } from "../../../src/apps/loadtest/report.ts";
import { cleanup, runApp, startApp } from "../helpers.ts";
import { startFaultyChatServer, type Fault } from "./faulty-chat-server.ts";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await cleanup();
});

/** Run the loadtest in this process with `--json`; the exit code and the parsed JSON. */
async function loadtest(args: string[]): Promise<{ code: number; json: LoadtestJson; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main([...args, "--json"], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { isTTY: false, write: (s: string) => (stderr += s) },
  });
  return { code, json: JSON.parse(stdout) as LoadtestJson, stderr };
}

/** 11 clients x 100 messages: 11 000 deliveries; the fault hits the 5 000th. */
const CHAT_LOAD = ["--mode", "chat", "--clients", "11", "--messages", "100", "--pipeline", "8", "--ramp", "0", "--drain-timeout", "1"];

async function faulty(fault: Fault): Promise<number> {
  const server = await startFaultyChatServer(fault, 5000);
  closers.push(() => server.close());
  return server.port;
}

describe("boucle loadtest, chat mode", () => {
  it("passes against the project's chat server with every message delivered once and in order", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit"]);
    const { code, json } = await loadtest(["--port", String(port), "--clients", "20", "--messages", "200", "--size", "100"]);
    expect(json.verdict).toEqual({ passed: true, reasons: [] });
    expect(code).toBe(0);
    expect(json).toMatchObject({ connected: 20, sent: 4000, expected: 76_000, received: 76_000, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 });
    expect(json.latencyMs.count).toBe(76_000);
    expect(json.connectMs.count).toBe(20);
    expect(json.messagesPerSecond).toBeGreaterThan(0);
  });

  it("passes against a correct server of the test's own (the control for the faulty ones)", async () => {
    const { code, json } = await loadtest(["--port", String(await faulty("none")), ...CHAT_LOAD]);
    expect(json).toMatchObject({ sent: 1100, expected: 11_000, received: 11_000, lost: 0 });
    expect(code).toBe(0);
  });

  it("reports one lost message among 11 000 and exits 1", async () => {
    const { code, json, stderr } = await loadtest(["--port", String(await faulty("drop")), ...CHAT_LOAD]);
    expect(code).toBe(1);
    expect(json).toMatchObject({ lost: 1, duplicated: 0, reordered: 0, corrupted: 0 });
    expect(json.verdict.reasons).toContain("1 message lost");
    expect(stderr).toContain("1 message lost");
  });

  it("reports one duplicated message and exits 1", async () => {
    const { code, json } = await loadtest(["--port", String(await faulty("duplicate")), ...CHAT_LOAD]);
    expect(code).toBe(1);
    expect(json).toMatchObject({ sent: 1100, received: 11_001, lost: 0, duplicated: 1, reordered: 0 });
    expect(json.verdict.reasons).toEqual(["1 message duplicated"]);
  });

  it("reports one reordered message and exits 1", async () => {
    const { code, json } = await loadtest(["--port", String(await faulty("reorder")), ...CHAT_LOAD]);
    expect(code).toBe(1);
    expect(json).toMatchObject({ sent: 1100, received: 11_000, lost: 0, duplicated: 0, reordered: 1 });
    expect(json.verdict.reasons).toEqual(["1 message reordered"]);
  });

  it("also catches a fault in open-loop mode (--rate)", async () => {
    const { code, json } = await loadtest(["--port", String(await faulty("drop")), ...CHAT_LOAD, "--rate", "500"]);
    expect(code).toBe(1);
    expect(json.lost).toBe(1);
    expect(json.ratePerClient).toBe(500);
  });
});

describe("boucle loadtest, echo mode", () => {
  it("passes against the project's echo server, ping-pong and pipelined", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const ping = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "20", "--messages", "200"]);
    expect(ping.code).toBe(0);
    expect(ping.json).toMatchObject({ sent: 4000, received: 4000, expected: 4000, lost: 0, corrupted: 0, pipeline: 1 });
    const piped = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "20", "--duration", "0.5", "--pipeline", "16", "--size", "1000"]);
    expect(piped.code).toBe(0);
    expect(piped.json.sent).toBeGreaterThan(1000);
    expect(piped.json).toMatchObject({ lost: 0, corrupted: 0, messagesPerClient: null });
    expect(piped.json.received).toBe(piped.json.sent);
  });

  it("runs open loop at --rate and ends once the last echo is back", async () => {
    const server = await startBaselineEchoServer({ host: "127.0.0.1", port: 0 });
    closers.push(() => server.close());
    const started = performance.now();
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(server.port), "--clients", "4", "--messages", "20", "--rate", "100"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ sent: 80, received: 80, lost: 0, ratePerClient: 100, pipeline: null });
    expect(performance.now() - started).toBeLessThan(2000); // 20 messages at 100/s: about 0.2 s, not a drain timeout
  });

  it("passes against the plain Node baseline echo server", async () => {
    const server = await startBaselineEchoServer({ host: "127.0.0.1", port: 0 });
    closers.push(() => server.close());
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(server.port), "--clients", "5", "--messages", "500", "--pipeline", "4"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ sent: 2500, received: 2500, lost: 0, corrupted: 0 });
  });

  it("reports a single flipped byte as corrupted and exits 1", async () => {
    let bytes = 0;
    let flipped = false;
    const server = net.createServer((socket) => {
      socket.on("error", () => socket.destroy());
      socket.on("data", (data: Buffer) => {
        const start = bytes;
        bytes += data.length;
        // Flip one bit of the first non-newline byte from the 100 000th on, once.
        for (let at = Math.max(0, 100_000 - start); !flipped && at < data.length; at++) {
          if (data[at] === 0x0a) continue;
          data[at] ^= 0x01;
          flipped = true;
        }
        socket.write(data);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    server.on("connection", (socket) => closers.push(async () => socket.destroy()));
    const port = (server.address() as net.AddressInfo).port;
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "4", "--messages", "1000", "--pipeline", "8"]);
    expect(code).toBe(1);
    expect(json).toMatchObject({ sent: 4000, received: 4000, lost: 0, corrupted: 1 });
    expect(json.verdict.reasons).toEqual(["1 message corrupted"]);
  });

  it("counts lines never echoed as lost when the server stops answering", async () => {
    const server = net.createServer((socket) => {
      let echoed = 0;
      socket.on("error", () => socket.destroy());
      socket.on("data", (data: Buffer) => {
        if (echoed < 300) socket.write(data); // then silence: the drain timeout ends the run
        echoed += data.length;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    server.on("connection", (socket) => closers.push(async () => socket.destroy()));
    const port = (server.address() as net.AddressInfo).port;
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "1", "--messages", "50", "--drain-timeout", "0.3"]);
    expect(code).toBe(1);
    expect(json.lost).toBe(1);
    expect(json.sent).toBe(json.received + 1);
    expect(json.errors["drain-timeout"]).toBe(1);
  });
});

describe("boucle loadtest, the command", () => {
  it("explains every option in --help", async () => {
    const { code, stdout } = await runApp(["loadtest", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--mode", "--host", "--port", "--clients", "--messages", "--rate", "--size", "--duration", "--warmup", "--pipeline", "--ramp", "--json", "--no-progress"]) {
      expect(stdout).toContain(flag);
    }
  });

  it("exits 1 and says why when the server loses a message, with the table on stdout", async () => {
    const port = await faulty("drop");
    const { code, stdout } = await runApp(["loadtest", "--port", String(port), ...CHAT_LOAD]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/lost\s+1\n/);
    expect(stdout).toContain("FAIL: 1 message lost");
  });

  it("refuses a bad flag with one line", async () => {
    const { code, stderr } = await runApp(["loadtest", "--mode", "smtp"]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("--mode must be chat or echo");
  });

  it("stops early on request (Ctrl-C), still checks what was in flight, and fails as interrupted", async () => {
    const options = parseOptions(["--port", String(await faulty("none")), "--clients", "5", "--duration", "60", "--no-progress"])!;
    const started = performance.now();
    const result = await run(
      loadtestCoro(options, {
        stderr: { isTTY: false, write: () => true },
        onStoppable: (stop) => void setTimeout(stop, 300),
      }),
    );
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.sent).toBeGreaterThan(0);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, errors: { interrupted: 1 } });
    expect(result.received).toBe(result.expected);
  });

  it("counts a refused connection as an error, not a crash", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const { code, json } = await loadtest(["--mode", "echo", "--port", String(port), "--clients", "3", "--messages", "1"]);
    expect(code).toBe(1);
    expect(json.connected).toBe(0);
    expect(json.errors["ECONNREFUSED"]).toBe(3);
  });
});
