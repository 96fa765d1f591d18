/**
 * The RESP2 encoder and parser, checked against redis-parser (the parser of
 * the node-redis and ioredis clients) as an oracle: random replies are
 * encoded, cut at random byte boundaries and fed to both parsers, which must
 * both give back the replies that were encoded.
 */
import fc from "fast-check";
import RedisOracle from "redis-parser";
import { describe, expect, it } from "vitest";
import { encodeCommand, RedisError, RedisProtocolError, RespParser, type RedisReply } from "../../src/redis/index.ts";

/** A reply as it travels: the same string may go as a simple or a bulk string. */
type Wire =
  | { t: "simple"; s: string }
  | { t: "bulk"; s: string }
  | { t: "int"; n: number }
  | { t: "error"; m: string }
  | { t: "nilBulk" }
  | { t: "nilArray" }
  | { t: "array"; items: Wire[] };

const lineText = fc.string({ unit: "binary", maxLength: 30 }).filter((s) => !s.includes("\r") && !s.includes("\n"));
const { wire } = fc.letrec<{ wire: Wire }>((tie) => ({
  wire: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    lineText.map((s): Wire => ({ t: "simple", s })),
    fc.string({ unit: "binary", maxLength: 200 }).map((s): Wire => ({ t: "bulk", s })),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((n): Wire => ({ t: "int", n })),
    lineText.map((m): Wire => ({ t: "error", m: `ERR ${m}` })),
    fc.constant<Wire>({ t: "nilBulk" }),
    fc.constant<Wire>({ t: "nilArray" }),
    fc.array(tie("wire"), { maxLength: 6 }).map((items): Wire => ({ t: "array", items })),
  ),
}));

function encode(w: Wire): string {
  switch (w.t) {
    case "simple":
      return `+${w.s}\r\n`;
    case "bulk":
      return `$${Buffer.byteLength(w.s)}\r\n${w.s}\r\n`;
    case "int":
      return `:${w.n}\r\n`;
    case "error":
      return `-${w.m}\r\n`;
    case "nilBulk":
      return "$-1\r\n";
    case "nilArray":
      return "*-1\r\n";
    case "array":
      return `*${w.items.length}\r\n${w.items.map(encode).join("")}`;
  }
}

/** What a reply should parse to, errors as `{ error }` so both parsers' error classes compare. */
function expected(w: Wire): unknown {
  switch (w.t) {
    case "simple":
    case "bulk":
      return w.s;
    case "int":
      return w.n;
    case "error":
      return { error: w.m };
    case "nilBulk":
    case "nilArray":
      return null;
    case "array":
      return w.items.map(expected);
  }
}

function comparable(value: unknown): unknown {
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) return value.map(comparable);
  return value;
}

/** `bytes` cut at the given offsets (sorted, deduplicated, inside the buffer). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  return parts;
}

function parseOurs(parts: Buffer[]): unknown[] {
  const parser = new RespParser();
  const out: RedisReply[] = [];
  for (const part of parts) out.push(...parser.push(part));
  expect(parser.buffered).toBe(0);
  return out.map(comparable);
}

function parseOracle(parts: Buffer[], returnBuffers = false): unknown[] {
  const out: unknown[] = [];
  const oracle = new RedisOracle({ returnReply: (r) => out.push(r), returnError: (e) => out.push(e), returnBuffers });
  for (const part of parts) oracle.execute(part);
  return out.map(comparable);
}

describe("RespParser", () => {
  it("parses any sequence of replies cut anywhere, as the oracle does", () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (replies, cuts) => {
        const bytes = Buffer.from(replies.map(encode).join(""));
        const parts = split(bytes, cuts);
        const want = replies.map(expected);
        expect(parseOracle(parts)).toEqual(want);
        expect(parseOurs(parts)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it("parses a reply fed one byte at a time", () => {
    const bytes = Buffer.from("*3\r\n$4\r\nhé!\r\n:-42\r\n*2\r\n+OK\r\n$-1\r\n");
    const parser = new RespParser();
    const out: RedisReply[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const replies = parser.push(bytes.subarray(i, i + 1));
      if (i < bytes.length - 1) expect(replies).toEqual([]);
      out.push(...replies);
    }
    expect(out).toEqual([["hé!", -42, ["OK", null]]]);
  });

  it("collects a long bulk string's chunks and parses it once it is complete", () => {
    const body = "x".repeat(1_000_000);
    const bytes = Buffer.from(`$${body.length}\r\n${body}\r\n+next\r\n`);
    const parser = new RespParser();
    const out: RedisReply[] = [];
    for (let i = 0; i < bytes.length; i += 4096) out.push(...parser.push(bytes.subarray(i, i + 4096)));
    expect(out).toEqual([body, "next"]);
  });

  it("keeps an error nested in an array as a RedisError value", () => {
    const [reply] = new RespParser().push(Buffer.from("*2\r\n+OK\r\n-WRONGTYPE Operation against a key\r\n"));
    expect(Array.isArray(reply)).toBe(true);
    const nested = (reply as RedisReply[])[1];
    expect(nested).toBeInstanceOf(RedisError);
    expect((nested as RedisError).code).toBe("WRONGTYPE");
  });

  it.each([
    ["an unknown type byte", "!oops\r\n"],
    ["a non-numeric integer", ":12a\r\n"],
    ["a bulk length below -1", "$-2\r\n"],
    ["a bulk without its CRLF", "$3\r\nabcXY"],
    ["a CR without LF", "+OK\rX\n"],
  ])("throws RedisProtocolError on %s", (_, text) => {
    expect(() => new RespParser().push(Buffer.from(text))).toThrow(RedisProtocolError);
  });
});

describe("encodeCommand", () => {
  const arg = fc.oneof(
    fc.string({ unit: "binary", maxLength: 50 }),
    fc.integer(),
    fc.uint8Array({ maxLength: 50 }).map((bytes) => Buffer.from(bytes)),
  );

  it("encodes arrays of bulk strings that the oracle reads back byte for byte", () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 10 }), (args) => {
        const encoded = encodeCommand(args);
        const [decoded] = parseOracle([Buffer.from(encoded)], true) as Buffer[][];
        expect(decoded!.map((b) => Buffer.from(b))).toEqual(args.map((a) => Buffer.from(typeof a === "number" ? String(a) : a)));
      }),
      { numRuns: 300 },
    );
  });

  it("stays a string when every argument is text, for the socket's string joining", () => {
    expect(encodeCommand(["SET", "k", 12])).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n");
  });

  it("refuses an empty command and non-finite numbers", () => {
    expect(() => encodeCommand([])).toThrow(RangeError);
    expect(() => encodeCommand(["SET", "k", Number.NaN])).toThrow(RangeError);
  });
});
