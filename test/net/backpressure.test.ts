import { describe, expect, it } from "vitest";
import { createTask, Event, sleep } from "../../src/loop/index.ts";
import { connect, listen, startServer, WRITE_HIGH_WATER, type Socket } from "../../src/net/index.ts";
import { nodePeer, pattern, runNet, within } from "./helpers.ts";

describe("backpressure", () => {
  it("drain blocks while a peer does not read, the buffer stays bounded, and writing resumes when it reads", async () => {
    const CHUNK = 64 * 1024;
    const TOTAL = 32 * 1024 * 1024; // Far more than the kernel's loopback buffers hold.
    const state = { written: 0, maxBuffered: 0, done: false };
    const { value } = await runNet(function* () {
      const server = yield* startServer(function* (_reader, writer) {
        const chunk = Buffer.alloc(CHUNK, 0x2a);
        while (state.written < TOTAL) {
          writer.write(chunk);
          state.written += CHUNK;
          state.maxBuffered = Math.max(state.maxBuffered, writer.bufferedBytes());
          yield* writer.drain();
        }
        state.done = true;
      });
      const peer = yield* nodePeer(server.port);
      peer.pause(); // Reads nothing for now.
      yield* sleep(300);
      const stalledAt = state.written;
      yield* sleep(200);
      const stillAt = state.written;

      let received = 0;
      const allReceived = new Promise<void>((resolve) =>
        peer.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received === TOTAL) resolve();
        }),
      );
      peer.resume();
      yield* within(10_000, (function* () {
        yield allReceived;
      })());
      peer.end();
      server.close();
      yield* within(2_000, server.waitClosed());
      return { stalledAt, stillAt, received };
    });
    // Blocked in drain: nothing more was written while the peer did not read.
    expect(value.stalledAt).toBeLessThan(TOTAL);
    expect(value.stillAt).toBe(value.stalledAt);
    // What waits in user space stays around the high-water mark (plus the chunk just written).
    expect(state.maxBuffered).toBeLessThanOrEqual(WRITE_HIGH_WATER + CHUNK);
    // Once the peer reads, everything goes through.
    expect(state.done).toBe(true);
    expect(value.received).toBe(TOTAL);
  });

  it("a client's drain also waits for a server that does not read yet", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const client = yield* connect({ port: server.port });
      const accepted = yield* server.accept();
      const data = pattern(8 * 1024 * 1024, 1);
      let sent = false;
      const sender = createTask(
        (function* () {
          yield* client.sendAll(data);
          sent = true;
        })(),
      );
      yield* sleep(100);
      const sentBeforeReading = sent;
      const parts: Buffer[] = [];
      let got = 0;
      while (got < data.length) {
        const part = yield* within(5_000, accepted.recv(1 << 20));
        parts.push(part);
        got += part.length;
      }
      yield* within(2_000, sender[Symbol.iterator]());
      client.close();
      accepted.close();
      server.close();
      return { sentBeforeReading, intact: Buffer.concat(parts).equals(data) };
    });
    expect(value.sentBeforeReading).toBe(false);
    expect(value.intact).toBe(true);
  });
});

/** What test "writes from several tasks..." sends: per round, each task's first ten, then each task's next ten. */
function expectedOutput(): string {
  let expected = "";
  for (let round = 0; round < 3; round++)
    for (const [from, to] of [[0, 10], [10, 20]] as const)
      for (let t = 0; t < 5; t++) for (let i = from; i < to; i++) expected += `${round}:${t}:${i};`;
  return expected;
}

describe("write coalescing", () => {
  /** Count what reaches Node's write on `socket`. */
  function spyWrites(socket: Socket): { calls: number } {
    const node = socket.nodeSocket;
    const original = node.write.bind(node) as (...args: unknown[]) => boolean;
    const counter = { calls: 0 };
    node.write = ((...args: unknown[]) => {
      counter.calls++;
      return original(...args);
    }) as typeof node.write;
    return counter;
  }

  it("many writes in one slice of the loop reach Node as one write, intact and in order", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const client = yield* connect({ port: server.port });
      const accepted = yield* server.accept();
      const spy = spyWrites(client);
      let expected = "";
      for (let i = 0; i < 500; i++) {
        const line = `line ${i}\n`;
        client.write(i % 2 === 0 ? line : Buffer.from(line)); // Strings and bytes mixed.
        expected += line;
      }
      const callsDuringIteration = spy.calls;
      yield* sleep(0); // The next iteration, in the same slice: nothing leaves yet.
      const callsNextIteration = spy.calls;
      yield* sleep(1); // The loop waits, so it gives Node its turn: the flush happens.
      const callsAfterOneTurn = spy.calls;
      let got = "";
      while (got.length < expected.length) got += (yield* within(2_000, accepted.recv(1 << 16))).toString();
      client.close();
      accepted.close();
      server.close();
      return { callsDuringIteration, callsNextIteration, callsAfterOneTurn, intact: got === expected };
    });
    expect(value.callsDuringIteration).toBe(0);
    expect(value.callsNextIteration).toBe(0);
    expect(value.callsAfterOneTurn).toBe(1);
    expect(value.intact).toBe(true);
  });

  it("writes from several tasks and iterations of one slice are coalesced too, and later slices write again", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const client = yield* connect({ port: server.port });
      const accepted = yield* server.accept();
      const spy = spyWrites(client);
      const roundsOver = [new Event(), new Event(), new Event()];
      const writers = [];
      for (let t = 0; t < 5; t++) {
        writers.push(
          createTask(
            (function* () {
              for (let round = 0; round < 3; round++) {
                for (let i = 0; i < 10; i++) client.write(`${round}:${t}:${i};`);
                yield* sleep(0); // Another iteration of the same slice.
                for (let i = 10; i < 20; i++) client.write(`${round}:${t}:${i};`);
                yield* roundsOver[round]!.wait();
              }
            })(),
          ),
        );
      }
      for (const over of roundsOver) {
        yield* sleep(5); // Every task waits, so the loop does: Node's turn, after the flush.
        over.set();
      }
      for (const task of writers) yield* task;
      let got = "";
      while (got.length < expectedOutput().length) got += (yield* within(2_000, accepted.recv(1 << 16))).toString();
      client.close();
      accepted.close();
      server.close();
      return { calls: spy.calls, got };
    });
    // The five tasks run in the same slices: one write per round.
    expect(value.calls).toBe(3);
    expect(value.got).toBe(expectedOutput());
  });
});
