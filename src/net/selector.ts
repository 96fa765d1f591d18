/**
 * Selector: Node's callback events turned into what select()/epoll gives a C
 * program, a set of ready sources. In the spirit of Python's `selectors`.
 *
 * Node's events only record: `'data'` (its chunk kept in the key's Inbox,
 * unread), `'connection'` and `'end'` make a source READ-ready; `'drain'`, `'connect'` and `'finish'` WRITE-ready; `'error'` and
 * `'close'` are stored on the key, for the next read or write to report, and
 * make it both. Then they wake the loop. No coroutine runs in a Node callback:
 * the loop polls the selector once per iteration and wakes, in one batch, the
 * tasks waiting on the sources that became ready. Before the loop gives
 * Node its turn it calls `flush()`, which hands each socket's coalesced
 * writes to Node.
 *
 * A registration is removed when its source closes, so nothing leaks.
 */
import type { EventEmitter } from "node:events";
import { Server as NodeServer, type Socket } from "node:net";
import type { Readable } from "node:stream";
import { DescribedFuture, type Future, type Coro, type EventLoop, type IoPoller } from "../loop/index.ts";
import { formatAddress, toNetError, type NetAddress } from "./errors.ts";
import { Inbox } from "./inbox.ts";

type NodeListener = Parameters<EventEmitter["on"]>[1];

/** A registered source: it holds its key under its selector's symbol, for the listeners every source shares. */
type Registered = EventEmitter & Record<symbol, SelectorKey | undefined>;

export const EVENT_READ = 1;
export const EVENT_WRITE = 2;

/** Something whose output is coalesced while the loop runs and written by `flush`. */
export interface Flushable {
  flush(): void;
}

/**
 * What the selector knows of one registered source: readiness not yet
 * delivered, end of stream, close, the first error, and the tasks waiting
 * on it (one per direction, plus those waiting for the close).
 */
export class SelectorKey {
  /** Readiness seen since the last poll, for the waiters to wake. */
  ready = 0;
  /** The peer finished sending (`'end'`). */
  eof = false;
  /** The source is closed; it is no longer registered. */
  closed = false;
  /** The first error, as a typed NetError. */
  error: Error | null = null;
  /** Servers: accepted connections not yet taken by `accept()`. */
  readonly incoming: Socket[] = [];
  /** Readables: bytes received and not yet read. */
  readonly inbox: Inbox;
  readWaiter: Future<void> | null = null;
  writeWaiter: Future<void> | null = null;
  /** Tasks waiting for the source to close; each has its own future. */
  readonly closeWaiters: Future<void>[] = [];
  /** Queued on the selector's pending list (avoids a duplicate entry). */
  pending = false;
  /**
   * The peer's address, put on this source's errors. Why: Node's read
   * errors (ECONNRESET) carry none, and a destroyed socket forgets its peer.
   */
  address: NetAddress | undefined = undefined;

  /** What a task waiting to read here waits for (a server's READ is an accept), for traces and dumps. */
  readonly readKind: string;

  constructor(readonly source: EventEmitter) {
    this.inbox = new Inbox(source as Readable);
    this.readKind = source instanceof NodeServer ? "accept" : "socket read";
  }

  /** The source as a trace or task dump names it: the peer's address, a server's, or "stdin". */
  toString(): string {
    if (this.address !== undefined) return formatAddress(this.address.host ?? "?", this.address.port);
    if (this.source instanceof NodeServer) {
      const bound = this.source.address();
      return typeof bound === "object" && bound !== null ? formatAddress(bound.address, bound.port) : String(bound ?? "server");
    }
    return this.source === process.stdin ? "stdin" : "stream";
  }
}

/**
 * The loop's I/O poller for Node sources (one per loop: `Selector.of(loop)`).
 * Every registered source is watched for everything (reads, writes, end,
 * close, errors); what a task waits for is said by the `wait` it calls, so
 * there is no interest mask to keep in step (Python's `modify`).
 * @example
 * const selector = Selector.of(getRunningLoop());
 * const key = selector.register(nodeSocket);
 * yield* selector.wait(key, EVENT_READ);
 */
export class Selector implements IoPoller {
  readonly loop: EventLoop;
  readonly #keys = new Map<EventEmitter, SelectorKey>();
  /** Keys with readiness and a waiter, woken by the next poll. */
  #pending: SelectorKey[] = [];
  #spare: SelectorKey[] = [];
  readonly #toFlush: Flushable[] = [];
  /** Where a source holds its key. Why one per selector: a source two loops registered keeps both keys. */
  readonly #slot = Symbol("boucle.selectorKey");
  /**
   * The Node listeners of a stream's and of a server's events. Why shared,
   * one set per selector, `this` (the source) leading to its key: eight
   * closures and their entries per connection were a tenth of an idle
   * connection's memory.
   */
  readonly #streamListeners: readonly [string, NodeListener][];
  readonly #serverListeners: readonly [string, NodeListener][];

  /** The selector of `loop`, created and plugged in on first use. */
  static of(loop: EventLoop): Selector {
    const poller = loop.getPoller();
    if (poller instanceof Selector) return poller;
    const selector = new Selector(loop);
    loop.setPoller(selector);
    return selector;
  }

  private constructor(loop: EventLoop) {
    this.loop = loop;
    const selector = this;
    const slot = this.#slot;
    const error: [string, NodeListener] = [
      "error",
      function (this: Registered, error: Error) {
        const key = this[slot]!;
        key.error ??= toNetError(error, key.address);
        selector.#mark(key, EVENT_READ | EVENT_WRITE);
      },
    ];
    const close: [string, NodeListener] = [
      "close",
      function (this: Registered) {
        const key = this[slot]!;
        key.closed = true;
        selector.#mark(key, EVENT_READ | EVENT_WRITE);
        selector.unregister(this);
      },
    ];
    this.#streamListeners = [
      [
        "data",
        function (this: Registered, chunk: Buffer | string) {
          const key = this[slot]!;
          key.inbox.push(chunk);
          selector.#mark(key, EVENT_READ);
        },
      ],
      [
        "end",
        function (this: Registered) {
          const key = this[slot]!;
          key.eof = true;
          selector.#mark(key, EVENT_READ);
        },
      ],
      ["drain", markWritable],
      ["connect", markWritable],
      ["finish", markWritable], // The write side is shut down: a graceful close waits for it.
      error,
      close,
    ];
    function markWritable(this: Registered): void {
      selector.#mark(this[slot]!, EVENT_WRITE);
    }
    this.#serverListeners = [
      [
        "connection",
        function (this: Registered, socket: Socket) {
          socket.on("error", ignoreLateError); // Why: it may fail before accept() wraps it.
          const key = this[slot]!;
          key.incoming.push(socket);
          selector.#mark(key, EVENT_READ);
        },
      ],
      error,
      close,
    ];
  }

  /** Registered sources (closed ones are removed). */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Watch `source` (a net.Socket, a net.Server or a Readable such as
   * process.stdin) for READ and WRITE readiness. A Readable is put in
   * flowing mode, what it delivers kept in `key.inbox` for its reader (see
   * inbox.ts). Its `'error'` is always listened to, so an error never
   * crashes the process.
   */
  register(source: EventEmitter): SelectorKey {
    if (this.#keys.has(source)) throw new Error("source is already registered");
    const key = new SelectorKey(source);
    const state = source as { destroyed?: boolean; readableEnded?: boolean };
    if (state.destroyed === true) {
      key.closed = true; // Why: it died before we saw it (e.g. reset while waiting for accept).
      return key;
    }
    key.eof = state.readableEnded === true;
    this.#keys.set(source, key);
    (source as Registered)[this.#slot] = key;
    for (const [event, fn] of this.#listenersOf(source)) source.on(event, fn);
    return key;
  }

  #listenersOf(source: EventEmitter): readonly [string, NodeListener][] {
    return source instanceof NodeServer ? this.#serverListeners : this.#streamListeners;
  }

  /**
   * Stop watching `source`: its listeners are removed (but one `'error'`
   * listener stays, so a late error can't crash the process) and its
   * waiters woken to see the state.
   */
  unregister(source: EventEmitter): void {
    const key = this.#keys.get(source);
    if (key === undefined) return;
    this.#keys.delete(source);
    for (const [event, fn] of this.#listenersOf(source)) source.off(event, fn);
    (source as Registered)[this.#slot] = undefined;
    source.on("error", ignoreLateError);
    key.closed = true;
    this.#mark(key, EVENT_READ | EVENT_WRITE);
  }

  getKey(source: EventEmitter): SelectorKey | undefined {
    return this.#keys.get(source);
  }

  /**
   * A future resolved at the next READ (or WRITE) readiness of `key`, or
   * when it errors or closes: `yield* selector.wait(key, EVENT_READ)`. One
   * waiter per direction, as in curio. The caller tries its operation first
   * and waits only if it would block.
   */
  wait(key: SelectorKey, event: typeof EVENT_READ | typeof EVENT_WRITE): Future<void> {
    const slot = event === EVENT_READ ? "readWaiter" : "writeWaiter";
    // A done future in the slot belongs to a waiter that was cancelled: the slot is free.
    if (key[slot]?.done() === false) {
      throw new Error(`another task is already waiting to ${event === EVENT_READ ? "read" : "write"} here`);
    }
    const future = new DescribedFuture<void>(this.loop, event === EVENT_READ ? key.readKind : "socket write", key);
    key[slot] = future;
    if (key.closed || key.error !== null) this.#mark(key, event);
    return future;
  }

  /** Park the current task until `key`'s source is closed. */
  *waitClosed(key: SelectorKey): Coro<void> {
    if (key.closed) return;
    const future = new DescribedFuture<void>(this.loop, "close", key);
    key.closeWaiters.push(future);
    try {
      yield* future;
    } finally {
      const at = key.closeWaiters.indexOf(future);
      if (at >= 0) key.closeWaiters.splice(at, 1);
    }
  }

  /** Wake `key`'s waiters for `events` as if the source had become ready (e.g. a server closing). */
  notify(key: SelectorKey, events: number): void {
    this.#mark(key, events);
  }

  /** Have `target.flush()` called at the end of this iteration (writes come from tasks). */
  scheduleFlush(target: Flushable): void {
    this.#toFlush.push(target);
  }

  // ---- IoPoller --------------------------------------------------------------

  poll(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = this.#spare;
    this.#spare = batch;
    for (const key of batch) {
      key.pending = false;
      const ready = key.ready;
      key.ready = 0;
      if (ready & EVENT_READ) {
        settle(key.readWaiter);
        key.readWaiter = null;
      }
      if (ready & EVENT_WRITE) {
        settle(key.writeWaiter);
        key.writeWaiter = null;
      }
      if (key.closed) for (const future of key.closeWaiters) settle(future);
    }
    batch.length = 0;
  }

  /** Only the virtual clock asks, and only when idle: a scan is fine. */
  hasWaiters(): boolean {
    for (const key of this.#keys.values()) {
      if (key.readWaiter?.done() === false || key.writeWaiter?.done() === false) return true;
    }
    return false;
  }

  flush(): void {
    const targets = this.#toFlush;
    for (let i = 0; i < targets.length; i++) targets[i]!.flush();
    targets.length = 0;
  }

  // ---- internals -------------------------------------------------------------

  #mark(key: SelectorKey, events: number): void {
    key.ready |= events;
    if (key.pending) return;
    const waiting =
      (events & EVENT_READ && key.readWaiter?.done() === false) ||
      (events & EVENT_WRITE && key.writeWaiter?.done() === false) ||
      (key.closed && key.closeWaiters.length > 0);
    if (!waiting) return;
    key.pending = true;
    this.#pending.push(key);
    this.loop.wakeUp();
  }
}

function settle(future: Future<void> | null): void {
  if (future !== null && !future.done()) future.setResult();
}

function ignoreLateError(): void {}
