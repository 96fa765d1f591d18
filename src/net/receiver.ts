/**
 * The read side of any Node Readable registered with the selector (a
 * socket, stdin): take what its inbox holds; if nothing, wait for READ
 * readiness; retry.
 *
 * Why `recv` is a hand-written coroutine (Receiving) rather than a
 * `function*`: it runs once per message on every connection, and a
 * generator per call, resumed through its own frame, was a visible part of
 * the echo server's CPU and garbage per round trip. Receiving behaves as
 *
 *     for (;;) {
 *       if (stopped) return EMPTY;
 *       const chunk = inbox.take(maxBytes); if (chunk) return chunk;
 *       if (error) throw error; if (eof or closed) return EMPTY;
 *       yield* selector.wait(key, EVENT_READ);
 *     }
 *
 * would, and one object serves every `recv` of its Receiver that does not
 * overlap another.
 */
import type { Coro, Future, Yieldable } from "../loop/index.ts";
import { EVENT_READ, type Selector, type SelectorKey } from "./selector.ts";

const EMPTY = Buffer.alloc(0);

/** Anything bytes can be received from; what a StreamReader reads. */
export interface ByteSource {
  /** Up to `maxBytes` bytes, waiting until some arrive; an empty Buffer at EOF. */
  recv(maxBytes: number): Coro<Buffer>;
}

export class Receiver implements ByteSource {
  readonly key: SelectorKey;
  readonly selector: Selector;
  /** True once `stop()` was called: `recv` reports EOF. */
  stopped = false;
  /** The Receiving no `recv` is running, reused by the next one. */
  #idle: Receiving | null = null;

  constructor(key: SelectorKey, selector: Selector) {
    this.key = key;
    this.selector = selector;
  }

  /** From now on `recv` reports EOF: the input is no longer the application's (a graceful close drops it). */
  stop(): void {
    this.stopped = true;
  }

  recv(maxBytes: number): Coro<Buffer> {
    const op = this.#idle ?? new Receiving(this);
    this.#idle = null;
    op.start(maxBytes);
    return op;
  }

  /** @internal A Receiving has finished: the next `recv` may reuse it. */
  release(op: Receiving): void {
    this.#idle = op;
  }
}

/** One `recv` at a time (see the file header). */
class Receiving implements Coro<Buffer> {
  readonly #receiver: Receiver;
  #maxBytes = 0;
  /** The READ readiness this recv is parked on, if any. */
  #waiting: Future<void> | null = null;
  #finished = true;

  constructor(receiver: Receiver) {
    this.#receiver = receiver;
  }

  start(maxBytes: number): void {
    this.#maxBytes = maxBytes;
    this.#waiting = null;
    this.#finished = false;
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Receiving";
  }

  next(): IteratorResult<Yieldable, Buffer> {
    if (this.#finished) return { value: EMPTY, done: true };
    const receiver = this.#receiver;
    const key = receiver.key;
    try {
      const waiting = this.#waiting;
      if (waiting !== null) {
        if (!waiting.done()) return { value: waiting, done: false };
        this.#waiting = null;
        waiting.result(); // A cancelled wait throws CancelledError here, as `yield*` would.
      }
      if (receiver.stopped) return this.#finish(EMPTY);
      const chunk = key.inbox.take(this.#maxBytes);
      if (chunk !== null) return this.#finish(chunk);
      if (key.error !== null) throw key.error;
      if (key.eof || key.closed) return this.#finish(EMPTY);
      const future = receiver.selector.wait(key, EVENT_READ); // Throws if another task waits here.
      this.#waiting = future;
      return { value: future, done: false };
    } catch (error) {
      this.#end();
      throw error;
    }
  }

  throw(error: unknown): IteratorResult<Yieldable, Buffer> {
    this.#end();
    throw error;
  }

  return(): IteratorResult<Yieldable, Buffer> {
    return this.#finish(EMPTY);
  }

  #finish(value: Buffer): IteratorResult<Yieldable, Buffer> {
    this.#end();
    return { value, done: true };
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#waiting = null;
    this.#receiver.release(this);
  }
}
