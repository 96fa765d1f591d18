/**
 * Socket.close() is graceful: the peer gets every byte and a clean EOF even
 * when it is still sending, and the close is bounded when the peer
 * misbehaves. (The regression tests for the RST that dropped the last
 * replies run against the real server, in another process, where the race
 * shows: test/apps/chat-server-close.test.ts and echo-server.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { fromPromise, sleep } from "../../src/loop/index.ts";
import { CLOSE_DRAIN_MS, listen } from "../../src/net/index.ts";
import { closed, delay, nodePeer, pattern, runNet, within } from "./helpers.ts";

describe("graceful close", () => {
  it("a peer still writing 100 KB, that reads only afterwards, gets the whole reply and a clean EOF (10 trials)", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen();
      const results: { received: number; error: string | undefined }[] = [];
      for (let trial = 0; trial < 10; trial++) {
        const peer = yield* nodePeer(server.port);
        const ours = yield* within(2_000, server.accept());
        let error: string | undefined;
        peer.on("error", (e: NodeJS.ErrnoException) => (error = e.code));
        peer.pause();
        const parts: Buffer[] = [];
        const ended = new Promise<void>((resolve) => peer.once("end", () => resolve()));
        peer.on("data", (chunk: Buffer) => parts.push(chunk));
        const writing = (async () => {
          for (let i = 0; i < 100 && !peer.destroyed; i++) {
            peer.write(pattern(1024, i));
            await delay(1);
          }
          peer.resume(); // Reads only once it has written everything.
          peer.end();
        })();
        yield* within(2_000, ours.recv(1024)); // Some of the input, not all of it.
        ours.write(pattern(4096)); // Small: it leaves at once, and the close follows while the peer writes.
        ours.close();
        yield* within(5_000, fromPromise(writing));
        yield* within(5_000, fromPromise(Promise.race([ended, closed(peer)])));
        yield* within(5_000, ours.waitClosed());
        results.push({ received: Buffer.concat(parts).length, error });
        peer.destroy();
      }
      server.close();
      return results;
    });
    expect(value).toEqual(Array.from({ length: 10 }, () => ({ received: 4096, error: undefined })));
  });

  it("after close(), a reader parked in recv() gets EOF, and reading again gives EOF", async () => {
    const { value } = await runNet(function* (loop) {
      const server = yield* listen();
      const peer = yield* nodePeer(server.port);
      const ours = yield* within(2_000, server.accept());
      const parked = loop.createTask(ours.recv(100));
      yield* sleep(10);
      ours.close();
      peer.write("late input"); // Dropped: the socket is closing.
      const first = yield* within(2_000, parked);
      const again = yield* ours.recv(100);
      peer.end();
      yield* within(5_000, ours.waitClosed());
      server.close();
      return [first.length, again.length];
    });
    expect(value).toEqual([0, 0]);
  });

  it("a peer that never stops sending and never closes is closed after at most CLOSE_DRAIN_MS", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen();
      const peer = yield* nodePeer(server.port);
      const ours = yield* within(2_000, server.accept());
      let sending = true;
      const chunk = Buffer.alloc(4 * 1024, 0x61);
      const flood = (async () => {
        while (sending && !peer.destroyed) {
          if (!peer.write(chunk)) await new Promise((resolve) => peer.once("drain", resolve).once("close", resolve));
          await delay(2); // At most 2 MB/s, well under the byte bound: the time bound must end it.
        }
      })();
      peer.on("data", () => {});
      const started = Date.now();
      ours.close();
      yield* within(CLOSE_DRAIN_MS + 3_000, ours.waitClosed());
      const tookMs = Date.now() - started;
      sending = false;
      yield* fromPromise(flood);
      peer.destroy();
      server.close();
      return tookMs;
    });
    expect(value).toBeGreaterThanOrEqual(CLOSE_DRAIN_MS - 50);
    expect(value).toBeLessThan(CLOSE_DRAIN_MS + 3_000);
  });

  it("a peer that neither reads nor closes does not hold the socket past the bound", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen();
      const peer = yield* nodePeer(server.port);
      peer.pause();
      const ours = yield* within(2_000, server.accept());
      ours.write(Buffer.alloc(8 << 20)); // Far more than the kernels' buffers take.
      const started = Date.now();
      ours.close();
      yield* within(CLOSE_DRAIN_MS + 3_000, ours.waitClosed());
      peer.destroy();
      server.close();
      return Date.now() - started;
    });
    expect(value).toBeLessThan(CLOSE_DRAIN_MS + 3_000);
  });

  it("a peer that half-closes as soon as it sees our EOF lets the close finish at once", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen();
      const peer = yield* nodePeer(server.port);
      peer.on("data", () => {});
      peer.on("end", () => peer.end());
      const ours = yield* within(2_000, server.accept());
      ours.write("bye\n");
      const started = Date.now();
      ours.close();
      yield* within(2_000, ours.waitClosed());
      yield* sleep(0);
      server.close();
      return Date.now() - started;
    });
    expect(value).toBeLessThan(1_000);
  });
});
