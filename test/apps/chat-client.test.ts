/**
 * ChatClient's limits on the virtual clock, without sockets: the line limit,
 * flood control (every line costs, whatever becomes of it), the turn given
 * back every few lines, and the slow-reader bound counted in bytes. The
 * end-to-end tests check the same limits over real sockets, more slowly.
 */
import { describe, expect, it } from "vitest";
import { ChatHub } from "../../src/apps/chat/hub.ts";
import { DEFAULT_BURST, DEFAULT_RATE_PER_SEC } from "../../src/apps/chat/token-bucket.ts";
import { ChatClient, MAX_LINE_BYTES, READ_LIMIT, type ClientSettings } from "../../src/apps/chat-server/client.ts";
import { ChatCounters } from "../../src/apps/chat-server/counters.ts";
import { LINE_BATCH } from "../../src/apps/chat-server/priorities.ts";
import { createTask, Future, release, sleep, type Coro } from "../../src/loop/index.ts";
import { StreamReader, type ByteSource, type StreamWriter } from "../../src/net/index.ts";
import { FakeMember } from "./chat/fake-member.ts";
import { runVirtual } from "../loop/helpers.ts";

/** Bytes fed by the test; an empty feed is EOF. */
class FedSource implements ByteSource {
  readonly #chunks: Buffer[] = [];
  #waiter: Future<void> | null = null;

  feed(data: string | Buffer): void {
    this.#chunks.push(typeof data === "string" ? Buffer.from(data) : data);
    this.#waiter?.setResult(undefined);
    this.#waiter = null;
  }

  end(): void {
    this.feed(Buffer.alloc(0));
  }

  *recv(maxBytes: number): Coro<Buffer> {
    while (this.#chunks.length === 0) yield* (this.#waiter = new Future<void>());
    const chunk = this.#chunks[0]!;
    if (chunk.length <= maxBytes) return this.#chunks.shift()!;
    this.#chunks[0] = chunk.subarray(maxBytes);
    return chunk.subarray(0, maxBytes);
  }
}

/**
 * What ChatClient uses of a StreamWriter. Nothing is ever taken by the
 * "peer": like Node's writableLength, the backlog counts what was written,
 * bytes for a Buffer and UTF-16 units for a string.
 */
class HeldWriter {
  readonly lines: string[] = [];
  /** Calls of write(): how many chunks the socket would have been handed. */
  writes = 0;
  readonly nodeSocket = { writableLength: 0 };
  readonly socket = this;
  aborted = false;
  closed = false;

  backlogBytes(): number {
    return this.nodeSocket.writableLength;
  }

  write(data: string | Uint8Array): void {
    this.writes++;
    this.nodeSocket.writableLength += data.length;
    this.lines.push(...Buffer.from(data).toString("utf8").split("\n").slice(0, -1));
  }

  flush(): void {}
  abort(): void {
    this.aborted = true;
  }
  reset(): void {
    this.aborted = true;
  }
  close(): void {
    this.closed = true;
  }
}

const SETTINGS: ClientSettings = { maxQueueBytes: 1024 * 1024, floodLimit: true, priorities: true };

/** A hub with one listening member, and a ChatClient in it fed by `source`. */
function setUp(settings: Partial<ClientSettings> = {}) {
  const hub = new ChatHub();
  const listener = new FakeMember();
  hub.join(listener);
  hub.announce(listener);
  const source = new FedSource();
  const writer = new HeldWriter();
  const counters = new ChatCounters();
  const client = new ChatClient(1_000_000, "test", hub, writer as unknown as StreamWriter, { ...SETTINGS, ...settings }, null, undefined, counters);
  hub.join(client);
  hub.announce(client);
  listener.take();
  writer.lines.length = 0;
  const reader = new StreamReader(source, { limit: READ_LIMIT });
  return { hub, listener, source, writer, client, reader, counters };
}

describe("ChatClient on the virtual clock", () => {
  it("accepts a line of 4096 bytes and refuses 4097 with one error, keeping the connection", async () => {
    const { listener, source, writer, client, reader } = setUp();
    source.feed(`${"a".repeat(MAX_LINE_BYTES)}\n${"b".repeat(MAX_LINE_BYTES + 1)}\nafter\n`);
    source.end();
    await runVirtual(() => client.readLines(reader));
    expect(listener.take().map((l) => l.length)).toEqual([`<${client.nick}> `.length + MAX_LINE_BYTES, `<${client.nick}> after`.length]);
    expect(writer.lines).toEqual([`! line too long (max ${MAX_LINE_BYTES} bytes)`]);
  });

  it("lets a burst through, drops the rest with one notice, then the sustained rate", async () => {
    const { listener, source, writer, client, reader } = setUp();
    await runVirtual(function* () {
      const task = createTask(client.readLines(reader));
      source.feed(Array.from({ length: DEFAULT_BURST + 50 }, (_, i) => `m${i}\n`).join(""));
      yield* sleep(1000);
      expect(listener.take()).toHaveLength(DEFAULT_BURST);
      expect(writer.lines).toEqual(["! slow down: too many lines, line dropped"]);
      source.feed(Array.from({ length: 50 }, (_, i) => `n${i}\n`).join(""));
      yield* sleep(10);
      expect(listener.take()).toHaveLength(DEFAULT_RATE_PER_SEC); // What one second refilled.
      expect(writer.lines).toHaveLength(2); // A new burst of drops, a new notice.
      source.end();
      yield* task;
    });
  });

  it("charges overlong lines too: a flood of them gets at most a burst of errors", async () => {
    const { source, writer, client, reader } = setUp();
    source.feed(`${"x".repeat(MAX_LINE_BYTES + 10)}\n`.repeat(3 * DEFAULT_BURST));
    source.end();
    await runVirtual(() => client.readLines(reader));
    const tooLong = writer.lines.filter((l) => l.startsWith("! line too long"));
    expect(tooLong).toHaveLength(DEFAULT_BURST);
    expect(writer.lines.filter((l) => l.startsWith("! slow down"))).toHaveLength(1);
  });

  it("counts every line received and sent, and each dropped one under one reason", async () => {
    const { source, writer, client, reader, counters } = setUp();
    const sentBefore = counters.linesSent; // The welcome and join notices.
    source.feed(`hi\n${"x".repeat(MAX_LINE_BYTES + 10)}\n`);
    source.feed(Array.from({ length: DEFAULT_BURST + 5 }, (_, i) => `m${i}\n`).join(""));
    source.end();
    await runVirtual(() => client.readLines(reader));
    expect(counters.linesReceived).toBe(2 + DEFAULT_BURST + 5);
    // The burst's tokens: "hi", the over-long line, then DEFAULT_BURST - 2 messages; the rest dropped.
    expect(counters.droppedLines).toEqual({ line_too_long: 1, flood: 7 });
    const body = 3 + (MAX_LINE_BYTES + 11) + Array.from({ length: DEFAULT_BURST + 5 }, (_, i) => `m${i}\n`.length).reduce((a, b) => a + b, 0);
    expect(counters.bytesReceived).toBe(body);
    expect(counters.linesSent - sentBefore).toBe(writer.lines.length); // Its replies: the line error and one flood notice.
    expect(counters.bytesSent).toBeGreaterThan(0);
  });

  it("charges a command by what it costs: /help in a loop runs out sooner than messages", async () => {
    const { source, writer, client, reader } = setUp();
    source.feed("/help\n".repeat(DEFAULT_BURST));
    source.end();
    await runVirtual(() => client.readLines(reader));
    const helps = writer.lines.filter((l) => l === "* commands:").length;
    expect(helps).toBeGreaterThan(DEFAULT_BURST / 3);
    expect(helps).toBeLessThan(DEFAULT_BURST / 1.5);
  });

  it.each([
    ["blank lines", "\n", false],
    ["commands", "/who\n", false],
    ["lines dropped by flood control", "hi\n", true],
  ])("gives the turn back every few lines, %s included", async (_, line, floodLimit) => {
    const { source, client, reader } = setUp({ floodLimit });
    const lines = 40 * LINE_BATCH;
    let turns = 0;
    let done = false;
    await runVirtual(function* () {
      const other = createTask(
        (function* () {
          while (!done) {
            turns++;
            yield* release();
          }
        })(),
      );
      source.feed(line.repeat(lines));
      source.end();
      yield* client.readLines(reader);
      done = true;
      yield* other;
    });
    // Why a lower bound only: the other task runs once per turn the client gives back.
    expect(turns).toBeGreaterThanOrEqual(lines / (LINE_BATCH + 1) - 2);
  });

  it("counts its queue in bytes: CJK text is dropped at the same byte bound as ASCII", async () => {
    const maxQueueBytes = 10_000;
    const { hub, listener, client, writer } = setUp({ maxQueueBytes });
    const cjk = "漢".repeat(1000); // 3000 bytes, 1000 UTF-16 units.
    let sent = 0;
    while (!writer.aborted && sent < 20) {
      hub.handleLine(listener, cjk);
      sent++;
    }
    expect(writer.aborted).toBe(true);
    expect(client.ended).toBe("disconnected: not reading fast enough");
    // Each line is `<nick> ` + 3000 bytes + "\n": the 4th passes 10 000 bytes.
    expect(sent).toBe(Math.ceil(maxQueueBytes / (`<${listener.nick}> `.length + 3001)));
  });

  it("hands what a fan-out sent it to its writer when the loop is done with the slice, as one write per run", async () => {
    await runVirtual(function* () {
      const hub = new ChatHub();
      const ada = new FakeMember();
      const [writer, bobWriter] = [new HeldWriter(), new HeldWriter()];
      const client = new ChatClient(2_000_000, "test", hub, writer as unknown as StreamWriter, SETTINGS);
      const bob = new ChatClient(2_000_001, "test", hub, bobWriter as unknown as StreamWriter, SETTINGS);
      for (const member of [ada, bob, client]) {
        hub.join(member);
        hub.announce(member);
      }
      yield* sleep(1); // The welcome and the join notices leave: the loop waits, so it flushes first.
      writer.lines.length = 0;
      writer.writes = 0;

      for (const text of ["one", "two", "three"]) hub.handleLine(ada, text);
      hub.handleLine(bob, "four");
      expect(writer.writes).toBe(0); // Nothing before the loop is done with the slice.
      yield* release();
      expect(writer.writes).toBe(0); // Nor at the next iteration: the loop has not waited yet.
      yield* sleep(1);
      expect(writer.lines).toEqual([`<${ada.nick}> one`, `<${ada.nick}> two`, `<${ada.nick}> three`, `<${bob.nick}> four`]);
      expect(writer.writes).toBe(1);

      // Its own message, encoded for bob, is not sent back to it: its run breaks there, and the order holds.
      hub.handleLine(ada, "five");
      hub.handleLine(client, "mine");
      hub.handleLine(ada, "six");
      yield* sleep(1);
      expect(writer.lines.slice(4)).toEqual([`<${ada.nick}> five`, `<${ada.nick}> six`]);
      expect(writer.writes).toBe(3);
      expect(bobWriter.lines.slice(-3)).toEqual([`<${ada.nick}> five`, `<${client.nick}> mine`, `<${ada.nick}> six`]);
    });
  });
});
