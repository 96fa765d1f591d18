/**
 * `--trace FILE` on the CLI, as real processes: a command that ends (the
 * demo) and a server stopped by a signal write a Chrome Trace Event file;
 * the chat server's shows its connection tasks parked on socket reads.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { TraceFile } from "../../src/loop/trace/trace-event.ts";
import { AppProcess, cleanup, LineClient, runApp, startApp } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "boucle-trace-cli-"));
afterEach(cleanup);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readTrace(file: string): TraceFile {
  return JSON.parse(readFileSync(file, "utf8")) as TraceFile;
}

describe("--trace FILE", () => {
  it("traces the demo's loops and says where the file is", async () => {
    const file = join(dir, "demo.json");
    const { code, stderr } = await runApp(["demo", "--step", "5", "--trace", file]);
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`boucle: trace written to ${file} \\(\\d+ events\\)`));
    const trace = readTrace(file);
    expect(trace.otherData.producer).toBe("boucle");
    expect(trace.traceEvents.some((e) => e.ph === "X" && e.name.startsWith("iteration "))).toBe(true);
    expect(trace.traceEvents.some((e) => e.ph === "b" && e.cat === "wait")).toBe(true);
  });

  it("traces the chat server until it is stopped: its tasks wait on socket reads woken by the selector", async () => {
    const file = join(dir, "chat.json");
    const { app, port } = await startApp("chat-server", ["--quiet", `--trace=${file}`]);
    const [alice] = await LineClient.joined(port);
    const [bob] = await LineClient.joined(port);
    alice.send("hello from alice");
    await bob.expect(/hello from alice/);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    const events = readTrace(file).traceEvents;
    const reads = events.filter((e) => e.ph === "b" && e.name.startsWith("socket read 127.0.0.1:"));
    expect(reads.length).toBeGreaterThan(0);
    expect(events.some((e) => e.ph === "i" && e.name.startsWith("ready: socket read 127.0.0.1:"))).toBe(true);
    expect(events.some((e) => e.ph === "b" && e.name.startsWith("accept "))).toBe(true);
  });

  it("says where the trace went as a JSON line among the server's own with --log-format json", async () => {
    const file = join(dir, "echo.json");
    const app = new AppProcess(["echo-server", "--port", "0", "--log-format", "json", "--trace", file]);
    await app.waitForStderr(/"event":"listening"/);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    const records = app.stderr.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    const written = records.find((r) => r["event"] === "trace_written");
    expect(written).toMatchObject({ level: "info", file, dropped: 0 });
    expect(written?.["events"]).toBe(readTrace(file).traceEvents.length);
  });

  it("without a file name is a usage error", async () => {
    const { code, stderr } = await runApp(["echo-server", "--trace"]);
    expect(code).toBe(1);
    expect(stderr).toBe("boucle echo-server: --trace needs a file name\n");
  });
});
