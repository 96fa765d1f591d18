/**
 * RESP2, Redis' wire protocol: commands are encoded as arrays of bulk
 * strings; replies are parsed incrementally from whatever chunks the socket
 * delivers, cut anywhere (in a length, between `\r` and `\n`, inside a bulk).
 *
 * Invariant: the parser never copies a chunk it can already parse from, and
 * while a long bulk string is arriving it only collects chunks, so a reply of
 * n bytes costs O(n) however finely it is split.
 */
import { RedisError, RedisProtocolError } from "./errors.ts";

/**
 * A reply as the client returns it: simple and bulk strings as UTF-8 strings,
 * integers as numbers, nil bulk and nil array as null, arrays as arrays. An
 * error nested in an array (EXEC, EVAL of a table) stays a RedisError value;
 * an error at the top level is thrown instead.
 */
export type RedisReply = string | number | null | RedisError | RedisReply[];

/** What a command argument may be: numbers are sent in decimal. */
export type RedisArg = string | number | Uint8Array;

const CRLF = "\r\n";

/**
 * Encode one command as a RESP array of bulk strings: a string when every
 * argument is text (the socket joins strings without copying bytes twice),
 * else a Buffer.
 * @example
 * writer.write(encodeCommand(["SET", "greeting", "hello"]));
 */
export function encodeCommand(args: readonly RedisArg[]): string | Buffer {
  if (args.length === 0) throw new RangeError("a Redis command needs at least its name");
  let text = `*${args.length}${CRLF}`;
  let parts: Uint8Array[] | null = null;
  for (const arg of args) {
    if (typeof arg === "string") {
      text += `$${Buffer.byteLength(arg)}${CRLF}${arg}${CRLF}`;
    } else if (typeof arg === "number") {
      if (!Number.isFinite(arg)) throw new RangeError(`cannot send ${arg} to Redis`);
      const digits = String(arg);
      text += `$${digits.length}${CRLF}${digits}${CRLF}`;
    } else {
      parts ??= [];
      parts.push(Buffer.from(`${text}$${arg.byteLength}${CRLF}`), arg);
      text = CRLF;
    }
  }
  if (parts === null) return text;
  parts.push(Buffer.from(text));
  return Buffer.concat(parts);
}

/** Marker for "the buffer ends before this reply does". */
const INCOMPLETE = Symbol("incomplete");
type Parsed = RedisReply | typeof INCOMPLETE;

const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
/** Deepest array nesting accepted: Redis' replies are a few levels deep; a deeper one is garbage. */
const MAX_DEPTH = 64;
/** Redis' own proto-max-bulk-len: a longer bulk is a corrupted stream, not a reply. */
const MAX_BULK = 512 * 1024 * 1024;

/**
 * Incremental RESP2 parser: `push` chunks, take the complete replies it
 * returns. A malformed stream throws RedisProtocolError (the connection is
 * then unusable: there is no way to find the next reply's start).
 * @example
 * const parser = new RespParser();
 * for (const reply of parser.push(chunk)) resolveNext(reply);
 */
export class RespParser {
  /** Chunks received since the last complete reply; parsed once they may hold one. */
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  /** Don't try to parse before this many bytes are buffered (the known end of a long bulk). */
  #needBytes = 0;
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;

  /** Bytes received and not yet part of a returned reply. */
  get buffered(): number {
    return this.#chunkBytes;
  }

  /** Feed `chunk`; returns the replies it completed, in order (often none or one). */
  push(chunk: Buffer): RedisReply[] {
    if (chunk.length === 0) return [];
    this.#chunks.push(chunk);
    this.#chunkBytes += chunk.length;
    if (this.#chunkBytes < this.#needBytes) return [];
    this.#buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#chunkBytes);
    this.#pos = 0;
    const replies: RedisReply[] = [];
    for (;;) {
      const start = this.#pos;
      const reply = this.#parse(0);
      if (reply === INCOMPLETE) {
        this.#pos = start;
        break;
      }
      replies.push(reply);
      this.#needBytes = 0;
      if (this.#pos === this.#buf.length) break;
    }
    const rest = this.#buf.length - this.#pos;
    if (this.#needBytes > 0) this.#needBytes -= this.#pos; // Why: it counted from the start of #buf, which the rest no longer has.
    this.#chunks = rest === 0 ? [] : [this.#buf.subarray(this.#pos)];
    this.#chunkBytes = rest;
    return replies;
  }

  #parse(depth: number): Parsed {
    if (this.#pos >= this.#buf.length) return INCOMPLETE;
    const type = this.#buf[this.#pos]!;
    const line = this.#line();
    if (line === null) return INCOMPLETE;
    switch (type) {
      case PLUS:
        return line;
      case MINUS:
        return new RedisError(line);
      case COLON:
        return this.#integer(line);
      case DOLLAR:
        return this.#bulk(this.#integer(line));
      case STAR:
        return this.#array(this.#integer(line), depth);
      default:
        throw new RedisProtocolError(`unexpected reply type byte 0x${type.toString(16).padStart(2, "0")}`);
    }
  }

  /** The text after the type byte up to CRLF (moving past it), or null if the CRLF hasn't come. */
  #line(): string | null {
    const end = this.#buf.indexOf(CR, this.#pos + 1);
    if (end < 0 || end + 1 >= this.#buf.length) {
      this.#needBytes = this.#buf.length + 1;
      return null;
    }
    if (this.#buf[end + 1] !== 0x0a) throw new RedisProtocolError("a reply line ends with \\r not followed by \\n");
    const text = this.#buf.toString("utf8", this.#pos + 1, end);
    this.#pos = end + 2;
    return text;
  }

  #integer(text: string): number {
    if (!/^-?\d+$/.test(text)) throw new RedisProtocolError(`expected an integer, got ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  }

  #bulk(length: number): Parsed {
    if (length === -1) return null;
    if (length < 0 || length > MAX_BULK) throw new RedisProtocolError(`bad bulk string length ${length}`);
    const end = this.#pos + length;
    if (end + 2 > this.#buf.length) {
      this.#needBytes = end + 2; // Why: collect chunks of a long bulk without re-parsing each time.
      return INCOMPLETE;
    }
    if (this.#buf[end] !== CR || this.#buf[end + 1] !== 0x0a) throw new RedisProtocolError("a bulk string is not followed by \\r\\n");
    const text = this.#buf.toString("utf8", this.#pos, end);
    this.#pos = end + 2;
    return text;
  }

  #array(length: number, depth: number): Parsed {
    if (length === -1) return null;
    if (length < 0) throw new RedisProtocolError(`bad array length ${length}`);
    if (depth >= MAX_DEPTH) throw new RedisProtocolError(`arrays nested deeper than ${MAX_DEPTH}`);
    const items: RedisReply[] = [];
    for (let i = 0; i < length; i++) {
      const item = this.#parse(depth + 1);
      if (item === INCOMPLETE) return INCOMPLETE;
      items.push(item);
    }
    return items;
  }
}
