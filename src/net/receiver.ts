/**
 * The read side of any Node Readable in paused mode (a socket, stdin): try
 * `read()`; if nothing is buffered, wait for READ readiness; retry.
 */
import type { Readable } from "node:stream";
import type { Coro } from "../loop/index.ts";
import { EVENT_READ, type Selector, type SelectorKey } from "./selector.ts";

const EMPTY = Buffer.alloc(0);

/** Anything bytes can be received from; what a StreamReader reads. */
export interface ByteSource {
  /** Up to `maxBytes` bytes, waiting until some arrive; an empty Buffer at EOF. */
  recv(maxBytes: number): Coro<Buffer>;
}

export class Receiver implements ByteSource {
  readonly #readable: Readable;
  readonly #key: SelectorKey;
  readonly #selector: Selector;
  /** What `read()` gave beyond the `maxBytes` asked for. */
  #leftover: Buffer | null = null;
  #stopped = false;

  constructor(readable: Readable, key: SelectorKey, selector: Selector) {
    this.#readable = readable;
    this.#key = key;
    this.#selector = selector;
  }

  /** From now on `recv` reports EOF: the input is no longer the application's (a graceful close drops it). */
  stop(): void {
    this.#stopped = true;
    this.#leftover = null;
  }

  *recv(maxBytes: number): Coro<Buffer> {
    for (;;) {
      if (this.#stopped) return EMPTY;
      const chunk = this.#leftover ?? (this.#readable.read() as Buffer | string | null);
      this.#leftover = null;
      if (chunk !== null) return this.#cut(typeof chunk === "string" ? Buffer.from(chunk) : chunk, maxBytes);
      if (this.#key.error !== null) throw this.#key.error;
      if (this.#key.eof || this.#key.closed) return EMPTY;
      yield* this.#selector.wait(this.#key, EVENT_READ);
    }
  }

  #cut(chunk: Buffer, maxBytes: number): Buffer {
    if (chunk.length <= maxBytes) return chunk;
    this.#leftover = chunk.subarray(maxBytes);
    return chunk.subarray(0, maxBytes);
  }
}
