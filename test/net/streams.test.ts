import { describe, expect, it } from "vitest";
import { createTask, sleep, type Coro } from "../../src/loop/index.ts";
import {
  LimitOverrunError,
  openConnection,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../src/net/index.ts";
import { closed, collectAll, echoBytes, nodePeer, pattern, runNet, within } from "./helpers.ts";

/**
 * A server whose one handler is `handler`, a client connected to it, and
 * `client(reader, writer)` run against it; returns what the handler returned.
 */
function* withServer<T>(
  handler: (reader: StreamReader, writer: StreamWriter) => Coro<T>,
  client: (port: number) => Coro<void>,
  options: { limit?: number } = {},
): Coro<T> {
  let result!: T;
  const server = yield* startServer(function* (reader, writer) {
    result = yield* handler(reader, writer);
  }, options);
  yield* client(server.port);
  server.close();
  yield* within(5_000, server.waitClosed());
  return result;
}

describe("Socket.recv(n)", () => {
  it("cuts a chunk longer than n and keeps its tail for the next recv", async () => {
    const { value } = await runNet(function* () {
      const pieces: string[] = [];
      const server = yield* startServer(function* (_reader, writer) {
        // The reader is not used: recv is the socket's own, under the StreamReader.
        for (let piece; (piece = yield* writer.socket.recv(4)).length > 0; ) pieces.push(piece.toString());
      });
      const peer = yield* nodePeer(server.port);
      peer.end("0123456789");
      yield closed(peer);
      server.close();
      yield* within(5_000, server.waitClosed());
      return pieces;
    });
    expect(value.every((piece) => piece.length <= 4)).toBe(true);
    expect(value.join("")).toBe("0123456789");
  });
});

describe("large messages", () => {
  it("echoes 1 MiB both ways byte-exact", async () => {
    const data = pattern(1024 * 1024, 3);
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoBytes);
      const [reader, writer] = yield* openConnection("127.0.0.1", server.port);
      const receiving = createTask(reader.readExactly(data.length));
      writer.write(data);
      yield* writer.drain();
      const echoed = yield* within(10_000, receiving[Symbol.iterator]());
      writer.close();
      server.close();
      yield* within(5_000, server.waitClosed());
      return echoed;
    });
    expect(value.length).toBe(data.length);
    expect(value.equals(data)).toBe(true);
  });

  it("a 1 MiB message written in many small pieces arrives intact through a plain Node peer", async () => {
    const data = pattern(1024 * 1024, 11);
    const { value } = await runNet(function* () {
      let received!: Promise<Buffer>;
      const server = yield* startServer(function* (_reader, writer) {
        for (let at = 0; at < data.length; at += 1000) {
          writer.write(data.subarray(at, at + 1000));
          yield* writer.drain();
        }
      });
      const peer = yield* nodePeer(server.port);
      received = collectAll(peer);
      const got = yield* within(10_000, (function* () {
        return (yield received) as Buffer;
      })());
      peer.end();
      server.close();
      yield* within(5_000, server.waitClosed());
      return got;
    });
    expect(value.equals(data)).toBe(true);
  });
});

describe("readline limit over a socket (boundaries: stream-reader.test.ts)", () => {
  it("64 MiB without a newline: LimitOverrunError, then discardLine, with memory bounded", async () => {
    const TOTAL = 64 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const error = yield* catchError(reader.readline());
          const dropped = yield* reader.discardLine();
          const next = yield* reader.readline();
          return { error, dropped, next: next.toString() };
        },
        function* (port) {
          const [, writer] = yield* openConnection("127.0.0.1", port);
          const chunk = Buffer.alloc(256 * 1024, 0x61);
          for (let sent = 0; sent < TOTAL; sent += chunk.length) {
            writer.write(chunk);
            yield* writer.drain();
            if ((sent & 0x3fffff) === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          }
          writer.write("\nafter\n");
          writer.close();
          yield* writer.waitClosed();
        },
      ),
    );
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    expect(value.error).toBeInstanceOf(LimitOverrunError);
    expect(value.dropped).toBe(TOTAL);
    expect(value.next).toBe("after\n");
    expect(rssPeak - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });
});

describe("end of stream", () => {
  it("readline returns the last partial line, then an empty Buffer", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const lines: string[] = [];
          for (let i = 0; i < 4; i++) lines.push((yield* reader.readline()).toString());
          return { lines, atEof: reader.atEof() };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.end("one\ntwo\nunfinished");
          yield closed(peer);
        },
      ),
    );
    expect(value.lines).toEqual(["one\n", "two\n", "unfinished", ""]);
    expect(value.atEof).toBe(true);
  });

  it("read() returns everything until EOF, then an empty Buffer", async () => {
    const data = pattern(300_000, 5);
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const all = yield* reader.read();
          const after = yield* reader.read(10);
          return { all, after, atEof: reader.atEof() };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.end(data);
          yield closed(peer);
        },
      ),
    );
    expect(value.all.equals(data)).toBe(true);
    expect(value.after.length).toBe(0);
    expect(value.atEof).toBe(true);
  });

});

describe("half-close", () => {
  it("after the client's shutdownWrite the server reads EOF and can still write back", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(function* (reader, writer) {
        const request = yield* reader.read();
        yield* sleep(10); // The client's side is half-closed now; answering must still work.
        writer.write(`got ${request.length} bytes: ${request.toString()}\n`);
        yield* writer.drain();
      });
      const [reader, writer] = yield* openConnection("127.0.0.1", server.port);
      writer.write("question");
      writer.writeEof();
      expect(writer.isClosing()).toBe(true);
      const answer = yield* within(5_000, reader.read());
      writer.close();
      server.close();
      yield* within(5_000, server.waitClosed());
      return answer.toString();
    });
    expect(value).toBe("got 8 bytes: question\n");
  });
});

function* catchError(coro: Coro<unknown>): Coro<unknown> {
  try {
    return yield* coro;
  } catch (error) {
    return error;
  }
}
