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
  /**
   * The oldest unread chunk, then the others in arrival order. Why a field
   * for the first: there is seldom more than one, and a reader then
   * touches no array.
   */
  #first: Buffer | null = null;
  #rest: Buffer[] | null = null;
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
    if (this.#first === null) this.#first = bytes;
    else (this.#rest ??= []).push(bytes);
    this.bytes += bytes.length;
    if (this.bytes >= INBOX_HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#source.pause();
    }
  }

  /** Up to `maxBytes` of the oldest chunk (the rest stays first in line), or null when empty. */
  take(maxBytes: number): Buffer | null {
    const chunk = this.#first;
    if (chunk === null) return null;
    let out = chunk;
    if (chunk.length > maxBytes) {
      out = chunk.subarray(0, maxBytes);
      this.#first = chunk.subarray(maxBytes);
    } else {
      this.#first = this.#rest?.shift() ?? null; // A short array: shift() is cheap.
    }
    this.bytes -= out.length;
    if (this.bytes === 0) this.#resume();
    return out;
  }

  /** Drop everything unread (a closing socket's input); returns how many bytes. */
  discard(): number {
    const dropped = this.bytes;
    this.#first = null;
    this.#rest = null;
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
