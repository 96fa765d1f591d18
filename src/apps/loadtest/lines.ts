/**
 * Cutting received chunks into lines without copying them: the load test's
 * receive path sees millions of lines per second, so a line is a
 * `(buffer, start, end)` range, never a string or a fresh Buffer. Only a
 * line split across two chunks is copied (once, joined with the next).
 */

const NEWLINE = 0x0a;

/** Called for each complete line; `end` excludes the `\n`. */
export interface LineSink {
  line(buf: Buffer, start: number, end: number): void;
}

export class LineSplitter {
  /** The unfinished last line of the previous chunk, if any. */
  #carry: Buffer | null = null;
  readonly #maxLine: number;

  /** @param maxLine longest line kept while waiting for its `\n`; longer is an error. */
  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  /** Bytes of an unfinished line held back. */
  get pending(): number {
    return this.#carry?.length ?? 0;
  }

  /**
   * Feed one chunk; `sink.line` is called for each line it completes.
   * @throws RangeError when an unfinished line grows past `maxLine`.
   */
  push(chunk: Buffer, sink: LineSink): void {
    let buf = chunk;
    if (this.#carry !== null) {
      buf = Buffer.concat([this.#carry, chunk]);
      this.#carry = null;
    }
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      sink.line(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > this.#maxLine) throw new RangeError(`a line of over ${this.#maxLine} bytes without a newline`);
      // Why subarray is safe: Node hands each read a buffer of its own; nobody overwrites it.
      this.#carry = buf.subarray(start);
    }
  }
}

/** A FIFO of numbers (send times) that grows as needed; no allocation per item. */
export class NumberQueue {
  #items: Float64Array;
  #head = 0;
  #size = 0;

  constructor(capacity = 16) {
    this.#items = new Float64Array(Math.max(2, capacity));
  }

  get size(): number {
    return this.#size;
  }

  push(value: number): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = value;
    this.#size++;
  }

  /** The oldest value, removed; NaN when empty. */
  shift(): number {
    if (this.#size === 0) return NaN;
    const value = this.#items[this.#head]!;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return value;
  }

  #grow(): void {
    const bigger = new Float64Array(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) bigger[i] = this.#items[(this.#head + i) % this.#items.length]!;
    this.#items = bigger;
    this.#head = 0;
  }
}
