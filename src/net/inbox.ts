/**
 * Inbox: the bytes Node has delivered for one source (its `'data'` events)
 * that no reader has taken yet, with the flow control that bounds them.
 *
 * Why not Node's paused mode (`'readable'`, then `read()`): each chunk then
 * costs a `process.nextTick` to emit `'readable'`, another for
 * `maybeReadMore`, and `read()`'s bookkeeping; the profile of the echo
 * server under loadgen put that at about a tenth of its CPU per round trip.
 * In flowing mode Node hands the chunk straight from the socket's read
 * callback, and the selector only records it here and marks the source
 * READ-ready: the coroutine still takes it when it reads.
 *
 * Backpressure: past INBOX_HIGH_WATER the source is paused (Node then
 * buffers up to its own high-water mark and stops reading the socket, so
 * the kernel's window closes on the peer); it resumes once a reader has
 * taken everything.
 */
import type { Readable } from "node:stream";

/**
 * Bytes an inbox holds before its source is paused: the largest single
 * `recv` (64 KiB), so one read can always take a full chunk.
 */
export const INBOX_HIGH_WATER = 64 * 1024;

export class Inbox {
  readonly #source: Readable;
  /** Chunks in arrival order; `#chunks[#head..]` are unread. */
  #chunks: Buffer[] = [];
  #head = 0;
  /** Unread bytes. */
  bytes = 0;
  /** True while we paused the source (never a pause someone else asked for). */
  #paused = false;

  constructor(source: Readable) {
    this.#source = source;
  }

  /** Called from the source's `'data'`: keep the chunk, pause the source when over the bound. */
  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.#chunks.push(bytes);
    this.bytes += bytes.length;
    if (this.bytes >= INBOX_HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#source.pause();
    }
  }

  /** Up to `maxBytes` of the oldest chunk (the rest stays first in line), or null when empty. */
  take(maxBytes: number): Buffer | null {
    if (this.#head === this.#chunks.length) return null;
    const chunk = this.#chunks[this.#head]!;
    let out = chunk;
    if (chunk.length > maxBytes) {
      out = chunk.subarray(0, maxBytes);
      this.#chunks[this.#head] = chunk.subarray(maxBytes);
    } else if (++this.#head === this.#chunks.length) {
      this.#chunks.length = 0; // Why reset: the array stays small, no shift() per chunk.
      this.#head = 0;
    }
    this.bytes -= out.length;
    if (this.bytes === 0) this.#resume();
    return out;
  }

  /** Drop everything unread (a closing socket's input); returns how many bytes. */
  discard(): number {
    const dropped = this.bytes;
    this.#chunks.length = 0;
    this.#head = 0;
    this.bytes = 0;
    this.#resume();
    return dropped;
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#source.resume();
  }
}
