/**
 * Writes to a peer that is behind are held in the Socket, as written, until
 * Node drains: Node's own buffer stays small, a buffer written to many
 * sockets is not copied per socket, and nothing is lost or reordered.
 */
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/loop/index.ts";
import { startServer, type StreamWriter } from "../../src/net/index.ts";
import { collectAll, nodePeer, runNet, within } from "./helpers.ts";

const LINE = Buffer.from(`${"z".repeat(1023)}\n`);
const LINES = 16 * 1024; // 16 MiB: far more than the kernel's loopback buffers hold.

describe("writes to a peer that is behind", () => {
  it("are held as written, with Node's buffer small, then all delivered in order on close", async () => {
    let held = { backlog: 0, node: 0 };
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await runNet(function* () {
      let writerOf: StreamWriter | null = null;
      const server = yield* startServer(function* (_reader, writer) {
        writerOf = writer;
        for (let i = 0; i < LINES; i++) {
          writer.write(Buffer.concat([Buffer.from(String(i).padStart(8, "0")), LINE.subarray(8)]));
          if (i % 64 === 63) yield* sleep(0); // Several iterations, so the peer falls behind.
        }
        held = { backlog: writer.backlogBytes(), node: writer.socket.nodeSocket.writableLength };
        writer.close(); // Hands everything held to Node: nothing may be lost.
        yield* writer.waitClosed();
        done();
      });
      const peer = yield* nodePeer(server.port);
      peer.pause();
      yield* sleep(300);
      const all = collectAll(peer);
      peer.resume();
      const data = yield* within(20_000, (function* () {
        return (yield all) as Buffer;
      })());
      yield finished;
      server.close();
      expect(writerOf).not.toBeNull();
      expect(data.length).toBe(LINES * LINE.length);
      for (const i of [0, 1, LINES / 2, LINES - 1]) {
        expect(data.subarray(i * LINE.length, i * LINE.length + 8).toString()).toBe(String(i).padStart(8, "0"));
      }
    });
    expect(held.backlog).toBeGreaterThan(4 * 1024 * 1024); // What the kernel did not take...
    expect(held.node).toBeLessThan(held.backlog / 4); // ...mostly held by us, not by Node.
  }, 30_000);
});

describe("reset", () => {
  it("closes at once with a TCP reset, so the kernel drops what it held for a peer that does not read", async () => {
    const SENT = 4096 * LINE.length; // 4 MiB: more than the peer's receive buffer.
    const received = await runNet(function* () {
      let resetDone!: () => void;
      const wasReset = new Promise<void>((resolve) => (resetDone = resolve));
      const server = yield* startServer(function* (_reader, writer) {
        for (let i = 0; i < 4096; i++) writer.write(LINE);
        yield* sleep(200);
        writer.reset();
        resetDone();
      });
      const peer = yield* nodePeer(server.port);
      peer.pause();
      yield wasReset;
      // Reading now finds what had reached its receive buffer, then the end.
      const all = collectAll(peer);
      peer.resume();
      const data = yield* within(5000, (function* () {
        return (yield all) as Buffer;
      })());
      server.close();
      return data.length;
    });
    expect(received.value).toBeLessThan(SENT / 2); // A plain close would deliver all of it.
  });
});
