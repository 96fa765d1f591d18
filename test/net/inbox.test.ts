import { describe, expect, it } from "vitest";
import { createTask, sleep, TimeoutError } from "../../src/loop/index.ts";
import { INBOX_HIGH_WATER } from "../../src/net/inbox.ts";
import { listen, Selector } from "../../src/net/index.ts";
import { nodePeer, pattern, runNet, within } from "./helpers.ts";

describe("the receive path (Inbox and recv)", () => {
  it("a socket nobody reads holds a bounded amount in user space, then delivers every byte in order", async () => {
    const TOTAL = 8 * 1024 * 1024; // Far more than the bound and the kernel's loopback buffers.
    const { value } = await runNet(function* (loop) {
      const server = yield* listen({ port: 0 });
      const peer = yield* nodePeer(server.port);
      const accepted = yield* server.accept();
      const data = pattern(TOTAL, 3);
      peer.write(data);
      yield* sleep(300); // We read nothing meanwhile.
      const node = accepted.nodeSocket;
      const inbox = Selector.of(loop).getKey(node)!.inbox;
      const held = { inbox: inbox.bytes, node: node.readableLength, paused: node.isPaused() };
      const parts: Buffer[] = [];
      let got = 0;
      let largest = 0;
      while (got < TOTAL) {
        const part = yield* within(5_000, accepted.recv(16 * 1024));
        largest = Math.max(largest, part.length);
        parts.push(part);
        got += part.length;
      }
      peer.end();
      const eof = yield* within(2_000, accepted.recv(1024));
      accepted.close();
      server.close();
      return { held, largest, eof: eof.length, flowing: !node.isPaused(), intact: Buffer.concat(parts).equals(data) };
    });
    expect(value.held.paused).toBe(true);
    expect(value.held.inbox).toBeGreaterThanOrEqual(INBOX_HIGH_WATER);
    expect(value.held.inbox).toBeLessThanOrEqual(INBOX_HIGH_WATER + 64 * 1024); // At most one chunk past the bound.
    expect(value.held.node).toBeLessThanOrEqual(128 * 1024); // Node stopped reading the socket too.
    expect(value.largest).toBeLessThanOrEqual(16 * 1024); // recv's maxBytes holds; the rest of a chunk comes next.
    expect(value.intact).toBe(true);
    expect(value.eof).toBe(0);
    expect(value.flowing).toBe(true); // Taking everything resumed the source.
  });

  it("a recv given up while parked (a timeout) loses nothing: the next recv gets the bytes", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const peer = yield* nodePeer(server.port);
      const accepted = yield* server.accept();
      let timedOut = false;
      try {
        yield* within(30, accepted.recv(1024));
      } catch (error) {
        timedOut = error instanceof TimeoutError;
      }
      peer.write("after the timeout\n");
      const line = (yield* within(2_000, accepted.recv(1024))).toString();
      peer.end();
      accepted.close();
      server.close();
      return { timedOut, line };
    });
    expect(value).toEqual({ timedOut: true, line: "after the timeout\n" });
  });

  it("a second task reading the same socket at once gets a clear error, and the first still gets its bytes", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const peer = yield* nodePeer(server.port);
      const accepted = yield* server.accept();
      const first = createTask(accepted.recv(1024));
      yield* sleep(5); // The first reader is parked.
      let second = "";
      try {
        yield* accepted.recv(1024);
      } catch (error) {
        second = (error as Error).message;
      }
      peer.write("for the first\n");
      const got = (yield* within(2_000, first)).toString();
      peer.end();
      accepted.close();
      server.close();
      return { second, got };
    });
    expect(value.second).toMatch(/another task is already waiting to read/);
    expect(value.got).toBe("for the first\n");
  });

  it("back-to-back recvs on one socket, each finished before the next, see the bytes in order", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const peer = yield* nodePeer(server.port);
      const accepted = yield* server.accept();
      const seen: string[] = [];
      for (let i = 0; i < 50; i++) {
        peer.write(`${i};`);
        let got = "";
        while (!got.endsWith(";")) got += (yield* within(2_000, accepted.recv(3))).toString();
        seen.push(got);
      }
      peer.end();
      accepted.close();
      server.close();
      return seen;
    });
    expect(value).toEqual(Array.from({ length: 50 }, (_, i) => `${i};`));
  });
});
