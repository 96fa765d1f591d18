import { describe, expect, it } from "vitest";
import { createTask, sleep, type Coro } from "../../src/loop/index.ts";
import {
  IncompleteReadError,
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

describe("partial reads and writes", () => {
  it("reads a line sent byte by byte with small delays", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          return (yield* reader.readline()).toString();
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          for (const byte of Buffer.from("hello, world\n")) {
            peer.write(Buffer.of(byte));
            yield* sleep(2);
          }
          peer.end();
          yield closed(peer);
        },
      ),
    );
    expect(value).toBe("hello, world\n");
  });

  it("readExactly assembles its bytes across many chunks", async () => {
    const data = pattern(1000);
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const first = yield* reader.readExactly(10);
          const rest = yield* reader.readExactly(990);
          return Buffer.concat([first, rest]);
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          for (let at = 0; at < data.length; at += 37) {
            peer.write(data.subarray(at, at + 37));
            yield* sleep(1);
          }
          peer.end();
          yield closed(peer);
        },
      ),
    );
    expect(value.equals(data)).toBe(true);
  });

  it("readUntil finds a multi-byte separator split across chunks", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const a = yield* reader.readUntil(Buffer.from("\r\n\r\n"));
          const b = yield* reader.readUntil(Buffer.from("\r\n\r\n"));
          return [a.toString(), b.toString()];
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          for (const piece of ["GET / HTTP/1.1\r", "\n", "Host: x\r\n\r", "\nbody\r\n", "\r", "\n"]) {
            peer.write(piece);
            yield* sleep(5);
          }
          peer.end();
          yield closed(peer);
        },
      ),
    );
    expect(value).toEqual(["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "body\r\n\r\n"]);
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

describe("readline limit", () => {
  it("a line over the limit raises LimitOverrunError and loses none of the buffered bytes", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const error = yield* catchError(reader.readline());
          const rest = yield* reader.readExactly(21);
          const next = yield* reader.readline();
          return { error, rest: rest.toString(), next: next.toString() };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("0123456789abcdefghij\nok\n");
          peer.end();
          yield closed(peer);
        },
        { limit: 10 },
      ),
    );
    expect(value.error).toBeInstanceOf(LimitOverrunError);
    expect(value.rest).toBe("0123456789abcdefghij\n");
    expect(value.next).toBe("ok\n");
  });

  it("discardLine drops the long line up to its newline and the next line reads fine", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const error = yield* catchError(reader.readline());
          const dropped = yield* reader.discardLine();
          const next = yield* reader.readline();
          return { error, dropped, next: next.toString() };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("x".repeat(50));
          yield* sleep(5);
          peer.write("y".repeat(50) + "\nnext line\n");
          peer.end();
          yield closed(peer);
        },
        { limit: 10 },
      ),
    );
    expect(value.error).toBeInstanceOf(LimitOverrunError);
    expect(value.dropped).toBe(100);
    expect(value.next).toBe("next line\n");
  });

  it("accepts a line exactly at the limit (the newline not counted)", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const a = yield* reader.readline();
          const b = yield* catchError(reader.readline());
          return { a: a.toString(), b };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("0123456789");
          yield* sleep(5);
          peer.write("\n0123456789a\n");
          peer.end();
          yield closed(peer);
        },
        { limit: 10 },
      ),
    );
    expect(value.a).toBe("0123456789\n");
    expect(value.b).toBeInstanceOf(LimitOverrunError);
  });

  it("accepts a line at the limit whose multi-byte separator is split across chunks", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          return (yield* catchError(reader.readUntil(Buffer.from("\r\n")))) as Buffer | Error;
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("0123456789\r");
          yield* sleep(10);
          peer.write("\n");
          peer.end();
          yield closed(peer);
        },
        { limit: 10 },
      ),
    );
    expect(value).toBeInstanceOf(Buffer);
    expect(value.toString()).toBe("0123456789\r\n");
  });

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

  it("read() after a readline keeps the bytes already buffered", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const line = yield* reader.readline();
          yield* sleep(20); // Let EOF arrive while "rest" sits in the buffer.
          const rest = yield* reader.read();
          return [line.toString(), rest.toString()];
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.end("line\nrest of it");
          yield closed(peer);
        },
      ),
    );
    expect(value).toEqual(["line\n", "rest of it"]);
  });

  it("readExactly raises IncompleteReadError carrying the partial data", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const error = yield* catchError(reader.readExactly(100));
          return { error, atEof: reader.atEof() };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("abc");
          yield* sleep(5);
          peer.end("def");
          yield closed(peer);
        },
      ),
    );
    expect(value.error).toBeInstanceOf(IncompleteReadError);
    const error = value.error as IncompleteReadError;
    expect(error.partial.toString()).toBe("abcdef");
    expect(error.expected).toBe(100);
    expect(value.atEof).toBe(true);
  });

  it("atEof is false while bytes are buffered and true once they are read after EOF", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const seen: boolean[] = [reader.atEof()];
          yield* reader.readExactly(2);
          yield* sleep(20);
          seen.push(reader.atEof());
          yield* reader.read(100);
          seen.push(reader.atEof());
          const last = yield* reader.read(100);
          seen.push(reader.atEof());
          return { seen, last: last.length };
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.end("abcd");
          yield closed(peer);
        },
      ),
    );
    expect(value.seen[0]).toBe(false);
    expect(value.seen[1]).toBe(false);
    expect(value.seen[3]).toBe(true);
    expect(value.last).toBe(0);
  });

  it("nextLine iterates lines without their newline, then null", async () => {
    const { value } = await runNet(() =>
      withServer(
        function* (reader) {
          const lines: string[] = [];
          for (let line; (line = yield* reader.nextLine()) !== null; ) lines.push(line.toString());
          return lines;
        },
        function* (port) {
          const peer = yield* nodePeer(port);
          peer.write("a\nbb\n");
          yield* sleep(5);
          peer.end("ccc");
          yield closed(peer);
        },
      ),
    );
    expect(value).toEqual(["a", "bb", "ccc"]);
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
