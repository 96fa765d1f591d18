/**
 * High-level streams, as asyncio's: a StreamReader buffers what a ByteSource
 * receives and cuts it into lines or exact sizes; a StreamWriter writes to a
 * Socket with backpressure.
 */
import type { Coro } from "../loop/index.ts";
import { connect, type ConnectOptions } from "./connect.ts";
import { IncompleteReadError, LimitOverrunError } from "./errors.ts";
import type { CloseOptions } from "./graceful-close.ts";
import type { ByteSource } from "./receiver.ts";
import type { Socket } from "./socket.ts";

/** Default limit for `readline` / `readUntil`: asyncio's 64 KiB. */
export const DEFAULT_LIMIT = 64 * 1024;
/** How much one `recv` asks for. */
const RECV_SIZE = 64 * 1024;
const NEWLINE = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);

export interface StreamReaderOptions {
  /** Longest line (or separator search) in bytes before LimitOverrunError. */
  limit?: number;
}

/** Options of {@link StreamReader.nextLine}. */
export interface NextLineOptions {
  /**
   * Drop a line longer than the reader's `limit` instead of throwing, and
   * call this with its size in bytes (newline excluded) once it is gone.
   */
  discardOverLong?: (droppedBytes: number) => void;
}

/**
 * Buffers what a ByteSource (a Socket, stdin) receives and hands it out as
 * lines, exact sizes or chunks (asyncio's StreamReader). One task reads from
 * a reader at a time. A line is bounded by `limit`; past it, the bytes stay
 * buffered and LimitOverrunError says so (or `nextLine` drops the line on
 * request), so a peer that never sends a newline costs bounded memory.
 * @example
 * const [reader, writer] = yield* openConnection("127.0.0.1", 7777);
 * for (let line; (line = yield* reader.nextLine()) !== null; ) console.log(line.toString());
 */
export class StreamReader {
  readonly #source: ByteSource;
  readonly limit: number;
  /** Buffered bytes are `#buf[#pos..]`. */
  #buf: Buffer = EMPTY;
  #pos = 0;
  #eof = false;

  constructor(source: ByteSource, options: StreamReaderOptions = {}) {
    this.#source = source;
    this.limit = options.limit ?? DEFAULT_LIMIT;
  }

  /** Bytes buffered and not yet read. */
  get buffered(): number {
    return this.#buf.length - this.#pos;
  }

  /** True when EOF was received and the buffer is empty. */
  atEof(): boolean {
    return this.#eof && this.buffered === 0;
  }

  /**
   * Up to `n` bytes (whatever is buffered or arrives next); with `n < 0`,
   * everything until EOF. An empty Buffer at EOF.
   */
  *read(n = -1): Coro<Buffer> {
    if (n === 0) return EMPTY;
    if (n < 0) {
      // Why start with the buffer: bytes left by an earlier readline were lost when EOF came next.
      const parts: Buffer[] = this.buffered > 0 ? [this.#take(this.buffered)] : [];
      while (yield* this.fill()) parts.push(this.#take(this.buffered));
      return Buffer.concat(parts);
    }
    if (this.buffered === 0) yield* this.fill();
    return this.#take(Math.min(n, this.buffered));
  }

  /**
   * Exactly `n` bytes.
   * @throws IncompleteReadError (with the partial data) if EOF comes first.
   */
  *readExactly(n: number): Coro<Buffer> {
    const parts: Buffer[] = [];
    let missing = n;
    while (missing > 0) {
      if (this.buffered === 0 && !(yield* this.fill())) {
        throw new IncompleteReadError(Buffer.concat(parts), n);
      }
      const part = this.#take(Math.min(missing, this.buffered));
      parts.push(part);
      missing -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /**
   * Bytes up to and including `separator`.
   * @throws LimitOverrunError if more than `limit` bytes come without it (they stay buffered).
   * @throws IncompleteReadError (with what was buffered) if EOF comes first.
   */
  *readUntil(separator: Uint8Array = NEWLINE): Coro<Buffer> {
    let scanned = 0; // Why: don't search the same bytes again after each receive.
    for (;;) {
      const at = this.#buf.indexOf(separator, this.#pos + scanned);
      if (at >= 0) {
        const length = at - this.#pos + separator.length;
        if (length - separator.length > this.limit) {
          throw new LimitOverrunError(`separator found after ${length} bytes, over the limit of ${this.limit}`, length);
        }
        return this.#take(length);
      }
      // Why not `buffered > limit`: a line at the limit whose multi-byte separator
      // is half received (say "...\r" of "\r\n") is not over it; count only bytes
      // that can no longer be the start of the separator (asyncio does the same).
      if (this.buffered - separator.length + 1 > this.limit) {
        throw new LimitOverrunError(`no separator in ${this.buffered} bytes, over the limit of ${this.limit}`, this.buffered);
      }
      scanned = Math.max(0, this.buffered - separator.length + 1);
      if (!(yield* this.fill())) {
        throw new IncompleteReadError(this.#take(this.buffered), null);
      }
    }
  }

  /**
   * One line, `\n` included; at EOF the last partial line, then an empty Buffer.
   * @throws LimitOverrunError if the line is longer than `limit` (nothing is lost: see `discardLine`).
   */
  *readline(): Coro<Buffer> {
    try {
      return yield* this.readUntil(NEWLINE);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      throw error;
    }
  }

  /**
   * The next line without its `\n`, or null at EOF: the way to iterate lines.
   * A line longer than `limit` throws LimitOverrunError, or with
   * `discardOverLong` is dropped as it arrives (none of it held), reported to
   * that callback with its size, and the next line is returned instead.
   * @throws LimitOverrunError for an over-long line, unless `discardOverLong` is given.
   * @example
   * for (let line; (line = yield* reader.nextLine()) !== null; ) handle(line);
   * // A server that answers an over-long line and goes on:
   * const line = yield* reader.nextLine({ discardOverLong: () => writer.write("! line too long\n") });
   */
  *nextLine(options?: NextLineOptions): Coro<Buffer | null> {
    for (;;) {
      let line: Buffer;
      try {
        line = yield* this.readline();
      } catch (error) {
        const onDiscard = options?.discardOverLong;
        if (onDiscard === undefined || !(error instanceof LimitOverrunError)) throw error;
        onDiscard(yield* this.discardLine());
        continue;
      }
      if (line.length === 0) return null;
      return line[line.length - 1] === 0x0a ? line.subarray(0, -1) : line;
    }
  }

  /**
   * The next line without its `\n` if one is already buffered whole (and
   * within `limit`), else null: then `yield* nextLine()` waits for it. A
   * reader's fast path: no coroutine, one Buffer view per line.
   * @example
   * const line = reader.bufferedLine() ?? (yield* reader.nextLine());
   */
  bufferedLine(): Buffer | null {
    const at = this.#buf.indexOf(0x0a, this.#pos);
    if (at < 0 || at - this.#pos > this.limit) return null;
    const line = this.#buf.subarray(this.#pos, at);
    this.#advance(at + 1 - this.#pos);
    return line;
  }

  /**
   * Drop bytes up to and including the next `\n` (or to EOF), without
   * holding them: what to do after a LimitOverrunError. Returns how many
   * bytes were dropped, the newline excluded.
   */
  *discardLine(): Coro<number> {
    let dropped = 0;
    for (;;) {
      const at = this.#buf.indexOf(0x0a, this.#pos);
      if (at >= 0) {
        dropped += at - this.#pos;
        this.#pos = at + 1;
        return dropped;
      }
      dropped += this.buffered;
      this.#advance(this.buffered);
      if (!(yield* this.fill())) return dropped;
    }
  }

  /**
   * Wait until one more chunk is received into the buffer; false at EOF.
   * For a reader that parks between lines: waiting here is one coroutine,
   * where `nextLine` nests three.
   * @example
   * if (reader.buffered === 0 && !(yield* reader.fill())) return; // EOF
   * const line = reader.bufferedLine() ?? (yield* reader.nextLine());
   */
  *fill(): Coro<boolean> {
    if (this.#eof) return false;
    const chunk = yield* this.#source.recv(RECV_SIZE);
    if (chunk.length === 0) {
      this.#eof = true;
      return false;
    }
    if (this.buffered === 0) {
      this.#buf = chunk; // Why: the common case (lines end at chunk ends) copies nothing.
      this.#pos = 0;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), chunk]);
      this.#pos = 0;
    }
    return true;
  }

  #take(n: number): Buffer {
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#advance(n);
    return out;
  }

  /** Consume `n` buffered bytes; an emptied buffer is let go. */
  #advance(n: number): void {
    this.#pos += n;
    if (this.#pos === this.#buf.length) {
      this.#buf = EMPTY;
      this.#pos = 0;
    }
  }
}

/**
 * Writes to a Socket: coalesced per loop iteration, with `drain()` backpressure.
 * @example
 * writer.write("hello\n");
 * yield* writer.drain(); // waits only while more than the high-water mark is buffered
 */
export class StreamWriter {
  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Queue `data` (sent at the end of this iteration). Follow with `yield* drain()` in a loop. */
  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Send what is written so far now rather than when the loop gives Node its turn. */
  flush(): void {
    this.socket.flush();
  }

  /** Wait while more than the high-water mark is buffered. */
  drain(): Coro<void> {
    return this.socket.drain();
  }

  /** Bytes written and not yet sent (for bounding a client's queue). */
  bufferedBytes(): number {
    return this.socket.bufferedBytes();
  }

  /** Bytes the peer has not taken from earlier iterations (see Socket.backlogBytes). */
  backlogBytes(): number {
    return this.socket.backlogBytes();
  }

  /** Half-close: EOF to the peer after the buffered data. */
  writeEof(): void {
    this.socket.shutdownWrite();
  }

  /** Send what is buffered, then close gracefully (see `Socket.close`). */
  close(options?: CloseOptions): void {
    this.socket.close(options);
  }

  /** Close now, dropping what is buffered. */
  abort(): void {
    this.socket.abort();
  }

  /** Close now with a TCP reset: the kernel drops what it holds for the peer too (see Socket.reset). */
  reset(): void {
    this.socket.reset();
  }

  isClosing(): boolean {
    return this.socket.isClosing();
  }

  /** Wait until the socket is closed. */
  waitClosed(): Coro<void> {
    return this.socket.waitClosed();
  }
}

/** A reader and a writer over one socket. */
export function streamsOf(socket: Socket, options?: StreamReaderOptions): [StreamReader, StreamWriter] {
  return [new StreamReader(socket, options), new StreamWriter(socket)];
}

/**
 * Connect and return `[reader, writer]` (asyncio's `open_connection`).
 * @example
 * const [reader, writer] = yield* openConnection("127.0.0.1", 7777);
 * writer.write("/nick ada\n");
 * const line = yield* reader.readline();
 * @example
 * const [reader, writer] = yield* openConnection("localhost", 6697, { tls: { ca } });
 */
export function* openConnection(
  host: string,
  port: number,
  options: Omit<ConnectOptions, "host" | "port"> & StreamReaderOptions = {},
): Coro<[StreamReader, StreamWriter]> {
  const socket = yield* connect({ host, port, timeoutMs: options.timeoutMs, tls: options.tls });
  return streamsOf(socket, options);
}
