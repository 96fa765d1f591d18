/**
 * One socket to Redis and its pipeline: commands are written as they come
 * (the socket coalesces everything written in one loop iteration into one
 * write), and each reply settles the oldest command still waiting, since
 * Redis answers in order. One reader task per connection parses replies.
 *
 * Invariant: every command sent gets its future settled exactly once: by
 * its reply, or by a RedisConnectionError when the connection ends first.
 */
import { createTask, Event, Future, type Coro, type Task } from "../loop/index.ts";
import { WRITE_HIGH_WATER, type Socket } from "../net/index.ts";
import { RedisConnectionError, RedisError } from "./errors.ts";
import { encodeCommand, RespParser, type RedisArg, type RedisReply } from "./resp.ts";

/** How much one receive asks for. */
const RECV_SIZE = 64 * 1024;

export class RedisConnection {
  readonly #socket: Socket;
  readonly #where: string;
  readonly #parser = new RespParser();
  /** Commands sent and not yet answered, oldest at `#head`. */
  #pending: Future<RedisReply>[] = [];
  #head = 0;
  #ended: RedisConnectionError | null = null;
  readonly #endedEvent = new Event();
  readonly #reader: Task<void>;

  readonly #onEnded: (reason: RedisConnectionError) => void;

  /** Take over `socket` (connected) and start reading its replies; `onEnded` is called once, the moment it ends. */
  constructor(socket: Socket, where: string, priority: number, onEnded: (reason: RedisConnectionError) => void) {
    this.#socket = socket;
    this.#where = where;
    this.#onEnded = onEnded;
    this.#reader = createTask(this.#readReplies(), { name: `redis reader ${where}`, priority });
  }

  /** True once the connection ended (closed by either side, or failed). */
  get ended(): boolean {
    return this.#ended !== null;
  }

  /** Commands waiting for their reply. */
  get pendingCount(): number {
    return this.#pending.length - this.#head;
  }

  /**
   * Write a command; the future settles with its reply. It fails with
   * RedisError for an error reply, RedisConnectionError if the connection ends first.
   */
  send(args: readonly RedisArg[]): Future<RedisReply> {
    const future = new Future<RedisReply>(this.#reader.loop);
    if (this.#ended !== null) {
      future.setException(this.#ended);
      return future;
    }
    const command = encodeCommand(args); // A bad argument throws here, to the caller, before anything is sent.
    try {
      this.#socket.write(command);
    } catch (error) {
      // Why here too: the socket may have failed before the reader task saw it.
      const message = error instanceof Error ? error.message : String(error);
      this.#end(new RedisConnectionError(`connection to Redis lost (${this.#where}): ${message}`, { cause: error }));
      future.setException(this.#ended);
      return future;
    }
    this.#pending.push(future);
    return future;
  }

  /** Wait while more than the socket's high-water mark is unsent (a pipelining caller's backpressure). */
  *drain(): Coro<void> {
    if (this.#ended !== null || this.#socket.bufferedBytes() <= WRITE_HIGH_WATER) return;
    try {
      yield* this.#socket.drain();
    } catch {
      // The reader sees the same failure and fails the pending commands with it.
    }
  }

  /** Close: what is written still leaves; commands without a reply fail. */
  close(reason = "the Redis client was closed"): void {
    this.#end(new RedisConnectionError(`${reason} (${this.#where})`));
    this.#socket.close(); // The reader then sees EOF and ends.
  }

  /** Wait until the connection has ended; returns why. */
  *waitEnded(): Coro<RedisConnectionError> {
    yield* this.#endedEvent.wait();
    return this.#ended!;
  }

  *#readReplies(): Coro<void> {
    try {
      for (;;) {
        const chunk = yield* this.#socket.recv(RECV_SIZE);
        if (chunk.length === 0) {
          this.#end(new RedisConnectionError(`Redis closed the connection (${this.#where})`));
          break;
        }
        for (const reply of this.#parser.push(chunk)) this.#settle(reply);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#end(new RedisConnectionError(`connection to Redis lost (${this.#where}): ${message}`, { cause: error }));
    } finally {
      this.#end(new RedisConnectionError(`connection to Redis closed (${this.#where})`));
      if (!this.#socket.isClosing()) this.#socket.abort();
    }
  }

  #settle(reply: RedisReply): void {
    const future = this.#pending[this.#head];
    if (future === undefined) {
      // Why: a reply nobody asked for means we and the server disagree on the stream.
      throw new RedisConnectionError(`Redis sent a reply to no command (${this.#where})`);
    }
    this.#pending[this.#head++] = undefined as unknown as Future<RedisReply>;
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    }
    if (future.done()) return; // Its caller was cancelled (a timeout): the reply is dropped.
    if (reply instanceof RedisError) future.setException(reply);
    else future.setResult(reply);
  }

  /** Mark the connection ended (the first reason wins) and fail every command still waiting. */
  #end(reason: RedisConnectionError): void {
    if (this.#ended !== null) return;
    this.#ended = reason;
    const waiting = this.#pending.slice(this.#head);
    this.#pending = [];
    this.#head = 0;
    for (const future of waiting) if (!future.done()) future.setException(reason);
    this.#endedEvent.set();
    this.#onEnded(reason);
  }
}
