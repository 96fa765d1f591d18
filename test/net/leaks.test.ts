import { describe, expect, it } from "vitest";
import { createTask, gather, sleep, type Coro } from "../../src/loop/index.ts";
import { openConnection, Selector, startServer } from "../../src/net/index.ts";
import { echoLines, forceGc, runNet, within } from "./helpers.ts";

describe("no leaks", () => {
  it("10 000 connect/close cycles leave the selector at its baseline and the heap flat", async () => {
    const CYCLES = 10_000;
    const CONCURRENCY = 50;
    const { value } = await runNet(function* (loop) {
      const selector = Selector.of(loop);
      const server = yield* startServer(echoLines);
      const port = server.port;
      const baseline = selector.size; // Only the listening server.

      function* cycle(i: number): Coro<void> {
        const [reader, writer] = yield* openConnection("127.0.0.1", port);
        writer.write(`${i}\n`);
        const line = yield* reader.readline();
        if (line.toString() !== `${i}\n`) throw new Error(`cycle ${i} got ${line.toString()}`);
        writer.close();
        yield* writer.waitClosed();
      }
      function* batches(from: number, to: number): Coro<void> {
        for (let start = from; start < to; start += CONCURRENCY) {
          const tasks = [];
          for (let i = start; i < Math.min(start + CONCURRENCY, to); i++) tasks.push(createTask(cycle(i)));
          yield* gather(...tasks);
        }
      }
      function* settled(): Coro<void> {
        // The server's side of the last sockets closes a moment after the clients'.
        while (server.clientCount > 0 || selector.size > baseline) yield* sleep(5);
      }

      yield* within(5_000, batches(0, 500)); // Warm up: JIT, pools.
      yield* within(2_000, settled());
      forceGc();
      const heapBefore = process.memoryUsage().heapUsed;
      const start = loop.time();
      yield* within(30_000, batches(500, CYCLES));
      yield* within(2_000, settled());
      const elapsedMs = loop.time() - start;
      forceGc();
      const heapAfter = process.memoryUsage().heapUsed;
      const sizeAfter = selector.size;
      server.close();
      yield* within(2_000, server.waitClosed());
      return { baseline, sizeAfter, heapGrowth: heapAfter - heapBefore, elapsedMs };
    });
    console.log(
      `leaks: ${CYCLES} cycles in ${value.elapsedMs.toFixed(0)} ms, heap growth ${(value.heapGrowth / 1e6).toFixed(2)} MB`,
    );
    expect(value.baseline).toBe(1);
    expect(value.sizeAfter).toBe(value.baseline);
    expect(value.heapGrowth).toBeLessThan(8 * 1024 * 1024);
  }, 40_000);
});

describe("idle", () => {
  it("a loop with a listening server and nothing to do for 1 s uses under 50 ms of CPU", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines);
      yield* sleep(50); // Let start-up settle.
      const before = process.cpuUsage();
      const wallStart = performance.now();
      yield* sleep(1_000);
      const used = process.cpuUsage(before);
      const wallMs = performance.now() - wallStart;
      server.close();
      yield* within(2_000, server.waitClosed());
      return { cpuMs: (used.user + used.system) / 1000, wallMs };
    });
    console.log(`idle: ${value.cpuMs.toFixed(1)} ms of CPU over ${value.wallMs.toFixed(0)} ms`);
    expect(value.wallMs).toBeGreaterThanOrEqual(990);
    expect(value.cpuMs).toBeLessThan(50);
  });
});
