/**
 * StreamReader against a scripted byte source (asyncio's `feed_data` style):
 * every chunk boundary is exactly the one the test writes, every run, with
 * no socket and no sleep to force a split. The reader's socket behaviour
 * is covered by streams.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Future, getRunningLoop, type Coro } from "../../src/loop/index.ts";
import { IncompleteReadError, LimitOverrunError, StreamReader, type ByteSource } from "../../src/net/index.ts";
import { runVirtual } from "../loop/helpers.ts";

/** End of stream, in a script. */
const EOF = null;

/**
 * A ByteSource that hands out the chunks it is fed, one per `recv` (cut to
 * `maxBytes`), and waits while it has none. Counts the receives.
 */
class ScriptedSource implements ByteSource {
  readonly #chunks: (Buffer | null)[] = [];
  #waiting: Future<void> | null = null;
  recvs = 0;

  constructor(script: (string | Buffer | null)[] = []) {
    for (const chunk of script) this.feed(chunk);
  }

  /** Append a chunk (or EOF) for a coming `recv`. */
  feed(chunk: string | Buffer | null): void {
    this.#chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.setResult();
  }

  *recv(maxBytes: number): Coro<Buffer> {
    this.recvs++;
    while (this.#chunks.length === 0) yield* (this.#waiting = new Future<void>(getRunningLoop()));
    const chunk = this.#chunks[0];
    if (chunk === null || chunk === undefined) return Buffer.alloc(0); // EOF stays: every later recv sees it.
    if (chunk.length <= maxBytes) return this.#chunks.shift()!;
    this.#chunks[0] = chunk.subarray(maxBytes);
    return chunk.subarray(0, maxBytes);
  }
}

/** Run `body` with a reader over a source scripted with `script`. */
async function withReader<T>(
  script: (string | Buffer | null)[],
  body: (reader: StreamReader, source: ScriptedSource) => Coro<T>,
  limit?: number,
): Promise<T> {
  const source = new ScriptedSource(script);
  const { value } = await runVirtual(() => body(new StreamReader(source, { limit }), source));
  return value;
}

function* caught(coro: Coro<unknown>): Coro<unknown> {
  try {
    return yield* coro;
  } catch (error) {
    return error;
  }
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString());

describe("StreamReader: lines across chunk boundaries", () => {
  it("assembles a line fed one byte per chunk", async () => {
    const value = await withReader([..."hello, world\n"], function* (reader) {
      return text(yield* reader.readline());
    });
    expect(value).toBe("hello, world\n");
  });

  it("cuts several lines out of one chunk without receiving again", async () => {
    const value = await withReader(["a\nbb\nccc\n"], function* (reader, source) {
      const lines = [text(yield* reader.readline()), text(yield* reader.readline()), text(yield* reader.readline())];
      return { lines, recvs: source.recvs };
    });
    expect(value).toEqual({ lines: ["a\n", "bb\n", "ccc\n"], recvs: 1 });
  });

  it("finds a multi-byte separator split across chunks, at every split point", async () => {
    const message = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody";
    for (let split = 1; split < message.length; split++) {
      const value = await withReader([message.slice(0, split), message.slice(split), EOF], function* (reader) {
        return text(yield* reader.readUntil(Buffer.from("\r\n\r\n")));
      });
      expect(value, `split at ${split}`).toBe("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    }
  });

  it("readExactly assembles its bytes across chunks and leaves the rest buffered", async () => {
    const value = await withReader(["abc", "defg", "hij"], function* (reader) {
      const first = yield* reader.readExactly(5);
      return { first: text(first), buffered: reader.buffered };
    });
    expect(value).toEqual({ first: "abcde", buffered: 2 });
  });

  it("waits for data fed later (the reader parks until then)", async () => {
    const source = new ScriptedSource(["par"]);
    const { value } = await runVirtual(function* (loop) {
      loop.callLater(10, () => source.feed("tial\n"));
      const line = yield* new StreamReader(source).readline();
      return { line: text(line), at: loop.time() };
    });
    expect(value).toEqual({ line: "partial\n", at: 10 });
  });
});

describe("StreamReader: the separator at the very start of the buffer", () => {
  it("an empty line first in a chunk is a line", async () => {
    const value = await withReader(["\nabc\n"], function* (reader) {
      return [text(yield* reader.readline()), text(yield* reader.readline())];
    });
    expect(value).toEqual(["\n", "abc\n"]);
  });

  it("discardLine stops at a newline that is the first byte of a chunk", async () => {
    const value = await withReader(["x".repeat(50), "\nnext\n"], function* (reader) {
      yield* caught(reader.readline());
      return { dropped: yield* reader.discardLine(), next: text(yield* reader.readline()) };
    }, 10);
    expect(value).toEqual({ dropped: 50, next: "next\n" });
  });

  it("discardLine counts only the dropped line, not what was read before it", async () => {
    const value = await withReader(["ok\n" + "x".repeat(20) + "\nafter\n"], function* (reader) {
      const first = text(yield* reader.readline());
      const error = yield* caught(reader.readline());
      return { first, message: (error as Error).message, dropped: yield* reader.discardLine(), next: text(yield* reader.readline()) };
    }, 10);
    expect(value).toEqual({ first: "ok\n", message: "separator found after 21 bytes, over the limit of 10", dropped: 20, next: "after\n" });
  });

  it("says how many bytes it scanned when no separator came", async () => {
    const value = await withReader(["y".repeat(12)], function* (reader) {
      return ((yield* caught(reader.readline())) as Error).message;
    }, 10);
    expect(value).toBe("no separator in 12 bytes, over the limit of 10");
  });
});

describe("StreamReader: read(n)", () => {
  it("returns at most n bytes, the rest staying buffered", async () => {
    const value = await withReader(["0123456789"], function* (reader) {
      return [text(yield* reader.read(3)), text(yield* reader.read(4)), text(yield* reader.read(100)), reader.buffered];
    });
    expect(value).toEqual(["012", "3456", "789", 0]);
  });

  it("read(0) is empty without receiving; read() reads to EOF, buffered bytes first", async () => {
    const value = await withReader(["line\nrest", " of it", EOF], function* (reader, source) {
      const empty = yield* reader.read(0);
      const recvsAfterEmpty = source.recvs;
      const line = yield* reader.readline();
      const rest = yield* reader.read();
      const after = yield* reader.read(10);
      return { empty: empty.length, recvsAfterEmpty, line: text(line), rest: text(rest), after: after.length, atEof: reader.atEof() };
    });
    expect(value).toEqual({ empty: 0, recvsAfterEmpty: 0, line: "line\n", rest: "rest of it", after: 0, atEof: true });
  });
});

describe("StreamReader: the line limit", () => {
  it("accepts a line exactly at the limit (newline not counted), refuses one byte more", async () => {
    const value = await withReader(["0123456789", "\n0123456789a\n"], function* (reader) {
      return { a: text(yield* reader.readline()), b: yield* caught(reader.readline()) };
    }, 10);
    expect(value.a).toBe("0123456789\n");
    expect(value.b).toBeInstanceOf(LimitOverrunError);
  });

  it("accepts a line at the limit whose two-byte separator is split between chunks", async () => {
    const value = await withReader(["0123456789\r", "\n"], function* (reader) {
      return yield* caught(reader.readUntil(Buffer.from("\r\n")));
    }, 10);
    expect(text(value as Buffer)).toBe("0123456789\r\n");
  });

  it("an over-long line raises LimitOverrunError and keeps its bytes buffered", async () => {
    const value = await withReader(["0123456789abcdefghij\nok\n"], function* (reader) {
      const error = yield* caught(reader.readline());
      return { error, rest: text(yield* reader.readExactly(21)), next: text(yield* reader.readline()) };
    }, 10);
    expect(value.error).toBeInstanceOf(LimitOverrunError);
    expect(value).toMatchObject({ rest: "0123456789abcdefghij\n", next: "ok\n" });
  });

  it("with no newline in sight, raises as soon as the limit is passed, without waiting for more", async () => {
    const value = await withReader(["x".repeat(11)], function* (reader) {
      return yield* caught(reader.readline()); // Nothing more is fed: waiting would hang.
    }, 10);
    expect(value).toBeInstanceOf(LimitOverrunError);
  });

  it("discardLine drops the rest of the line across chunks, holding none of it, and says how much", async () => {
    const value = await withReader(["x".repeat(50), "y".repeat(50), "z\nnext line\n"], function* (reader) {
      const error = yield* caught(reader.readline());
      const dropped = yield* reader.discardLine();
      return { error, dropped, next: text(yield* reader.readline()) };
    }, 10);
    expect(value.error).toBeInstanceOf(LimitOverrunError);
    expect(value).toMatchObject({ dropped: 101, next: "next line\n" });
  });

  it("nextLine({ discardOverLong }) drops an over-long line, reports its size and returns the next one", async () => {
    const value = await withReader(["short\n", "x".repeat(30), "x".repeat(30) + "\n", "after\n", EOF], function* (reader) {
      const dropped: number[] = [];
      const options = { discardOverLong: (n: number) => dropped.push(n) };
      const lines: (string | null)[] = [];
      for (let line; (line = yield* reader.nextLine(options)) !== null; ) lines.push(text(line));
      return { lines, dropped };
    }, 10);
    expect(value).toEqual({ lines: ["short", "after"], dropped: [60] });
  });

  it("nextLine({ discardOverLong }) reports an over-long last line cut by EOF, then returns null", async () => {
    const value = await withReader(["x".repeat(25), EOF], function* (reader) {
      const dropped: number[] = [];
      const line = yield* reader.nextLine({ discardOverLong: (n) => dropped.push(n) });
      return { line, dropped };
    }, 10);
    expect(value).toEqual({ line: null, dropped: [25] });
  });

  it("nextLine without the option still throws LimitOverrunError", async () => {
    const value = await withReader(["x".repeat(25) + "\n"], function* (reader) {
      return yield* caught(reader.nextLine());
    }, 10);
    expect(value).toBeInstanceOf(LimitOverrunError);
  });
});

describe("StreamReader: end of stream", () => {
  it("readline returns the last partial line, then an empty Buffer; nextLine returns null", async () => {
    const value = await withReader(["one\ntwo\nunfin", "ished", EOF], function* (reader) {
      const lines: (string | null)[] = [];
      for (let i = 0; i < 4; i++) lines.push(text(yield* reader.readline()));
      return { lines, next: yield* reader.nextLine(), atEof: reader.atEof() };
    });
    expect(value).toEqual({ lines: ["one\n", "two\n", "unfinished", ""], next: null, atEof: true });
  });

  it("nextLine strips exactly one newline", async () => {
    const value = await withReader(["a\n\nb", EOF], function* (reader) {
      const lines: (string | null)[] = [];
      for (let line; (line = yield* reader.nextLine()) !== null; ) lines.push(text(line));
      return lines;
    });
    expect(value).toEqual(["a", "", "b"]);
  });

  it("readExactly raises IncompleteReadError carrying the partial data from every chunk", async () => {
    const value = await withReader(["abc", "def", EOF], function* (reader) {
      return { error: yield* caught(reader.readExactly(100)), atEof: reader.atEof() };
    });
    const error = value.error as IncompleteReadError;
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect([text(error.partial), error.expected, value.atEof]).toEqual(["abcdef", 100, true]);
  });

  it("readUntil at EOF without the separator raises IncompleteReadError with what was buffered", async () => {
    const value = await withReader(["no separator", EOF], function* (reader) {
      return yield* caught(reader.readUntil(Buffer.from(";")));
    });
    const error = value as IncompleteReadError;
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect([text(error.partial), error.expected]).toEqual(["no separator", null]);
  });

  it("atEof is false while bytes are buffered, even after EOF arrived, and true once they are read", async () => {
    const value = await withReader(["abcd", EOF], function* (reader) {
      const seen = [reader.atEof()];
      yield* reader.readExactly(2);
      seen.push(reader.atEof());
      const rest = yield* reader.read(100);
      seen.push(reader.atEof()); // EOF not received yet: the reader has not asked again.
      const last = yield* reader.read(100);
      seen.push(reader.atEof());
      return { seen, rest: text(rest), last: last.length };
    });
    expect(value).toEqual({ seen: [false, false, false, true], rest: "cd", last: 0 });
  });
});

describe("StreamReader: bufferedLine, the fast path", () => {
  it("gives the lines already buffered whole, then null; nextLine takes over for the rest, in order", async () => {
    const value = await withReader(["one\ntwo\nthr", "ee\n\nlast", EOF], function* (reader, source) {
      const seen: (string | null)[] = [];
      seen.push(text(reader.bufferedLine())); // nothing received yet
      seen.push(text(yield* reader.nextLine())); // "one", and "two\nthr" stays buffered
      seen.push(text(reader.bufferedLine()), text(reader.bufferedLine()));
      for (let line; (line = reader.bufferedLine() ?? (yield* reader.nextLine())) !== null; ) seen.push(text(line));
      return { seen, recvs: source.recvs };
    });
    expect(value).toEqual({ seen: [null, "one", "two", null, "three", "", "last"], recvs: 3 });
  });

  it("leaves an over-long buffered line to nextLine (and its discardOverLong)", async () => {
    const value = await withReader(["x".repeat(20) + "\nok\n", EOF], function* (reader) {
      const fast = reader.bufferedLine();
      const dropped: number[] = [];
      const next = yield* reader.nextLine({ discardOverLong: (n) => dropped.push(n) });
      return { fast, dropped, next: text(next), after: text(reader.bufferedLine()) };
    }, 10);
    expect(value).toEqual({ fast: null, dropped: [20], next: "ok", after: null });
  });
});

describe("StreamReader: fill, the shallow wait", () => {
  it("receives one chunk into the buffer, keeping what was there; false at EOF, and after it", async () => {
    const value = await withReader(["ab", "cd\nef", EOF], function* (reader, source) {
      const steps: [boolean, number][] = [];
      steps.push([yield* reader.fill(), reader.buffered]); // "ab"
      steps.push([yield* reader.fill(), reader.buffered]); // "ab" + "cd\nef"
      const line = text(reader.bufferedLine());
      steps.push([yield* reader.fill(), reader.buffered]); // EOF: "ef" stays
      steps.push([yield* reader.fill(), reader.buffered]);
      return { steps, line, rest: text(yield* reader.read()), recvs: source.recvs };
    });
    expect(value).toEqual({ steps: [[true, 2], [true, 7], [false, 2], [false, 2]], line: "abcd", rest: "ef", recvs: 3 });
  });
});
