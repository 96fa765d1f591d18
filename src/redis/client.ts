/**
 * RedisClient: a Redis connection that coroutines share, on boucle's loop.
 * Commands pipeline (all those sent in one loop iteration leave in one
 * write); a lost connection is re-opened with exponential backoff while
 * commands fail fast with RedisConnectionError (never queued while Redis is
 * away: the caller decides what to do with a command that couldn't go).
 */
import { createTask, Event, Future, sleep, type Coro, type Task } from "../loop/index.ts";
import { connect, type Socket } from "../net/index.ts";
import { RedisConnection } from "./connection.ts";
import { RedisConnectionError } from "./errors.ts";
import type { RedisArg, RedisReply } from "./resp.ts";
import { describeAddress, parseRedisUrl, type RedisAddress } from "./url.ts";

export interface RedisClientOptions {
  /** Give up one connection attempt after this many ms (default 2000). */
  connectTimeoutMs?: number;
  /** Re-open a lost connection (default true); false: a lost connection stays lost. */
  reconnect?: boolean;
  /** First wait before a reconnection attempt, doubled after each failure (default 50 ms). */
  minBackoffMs?: number;
  /** Longest wait between two attempts (default 2000 ms). */
  maxBackoffMs?: number;
  /** Sent with CLIENT SETNAME on every connection (shows in CLIENT LIST). */
  clientName?: string;
  /** Priority of the task reading replies (default 0). */
  priority?: number;
}

const DEFAULTS = { connectTimeoutMs: 2000, reconnect: true, minBackoffMs: 50, maxBackoffMs: 2000, priority: 0 };
/** Idle time before TCP keep-alive probes: a cut link is noticed in seconds, not hours. */
const KEEPALIVE_MS = 5000;

/**
 * A client for one Redis server. Share it between tasks for ordinary
 * commands; give blocking commands (XREAD BLOCK, BLPOP) their own client
 * (`duplicate()`), since every command on a connection waits behind them.
 * @example
 * const redis = yield* RedisClient.connect("redis://127.0.0.1:6379");
 * yield* redis.call("SET", "greeting", "hello");
 * const value = yield* redis.call("GET", "greeting"); // "hello"
 */
export class RedisClient {
  readonly address: RedisAddress;
  readonly options: Readonly<RedisClientOptions>;
  readonly #settings: typeof DEFAULTS & RedisClientOptions;
  readonly #where: string;
  #connection: RedisConnection | null = null;
  #ready = false;
  readonly #readyEvent = new Event();
  #generation = 0;
  #closed = false;
  #lastError: RedisConnectionError | null = null;
  #supervisor: Task<void> | null = null;

  private constructor(address: RedisAddress, options: RedisClientOptions) {
    this.address = address;
    this.options = options;
    this.#settings = { ...DEFAULTS, ...options };
    this.#where = describeAddress(address);
  }

  /**
   * Connect to `target` (a redis:// or unix:// URL, or a parsed address),
   * authenticate and select the database.
   * @throws RedisConnectionError if Redis can't be reached; RedisError if it refuses AUTH or SELECT.
   * @example
   * const redis = yield* RedisClient.connect("unix:///run/redis/redis.sock");
   */
  static *connect(target: string | RedisAddress, options: RedisClientOptions = {}): Coro<RedisClient> {
    const address = typeof target === "string" ? parseRedisUrl(target) : target;
    const client = new RedisClient(address, options);
    yield* client.#open();
    client.#supervisor = createTask(client.#supervise(), { name: `redis supervisor ${client.#where}` });
    return client;
  }

  /** A new client to the same server with the same options: the one to give blocking commands. */
  duplicate(options: RedisClientOptions = {}): Coro<RedisClient> {
    return RedisClient.connect(this.address, { ...this.options, ...options });
  }

  /** `host:port` or `unix:/path`, for messages. */
  get where(): string {
    return this.#where;
  }

  /** True while a connection is up and ready for commands. */
  get connected(): boolean {
    return this.#ready;
  }

  /** Counts connections made: it changes each time the client reconnects. */
  get generation(): number {
    return this.#generation;
  }

  /** Why the last connection ended or the last attempt failed, if one did. */
  get lastError(): RedisConnectionError | null {
    return this.#lastError;
  }

  /**
   * Send one command now and return the future of its reply, so a task can
   * pipeline several before waiting for the first. Prefer `call`.
   * The future fails with RedisError (error reply) or RedisConnectionError
   * (not connected, or the connection was lost before the reply).
   * @example
   * const a = redis.send("INCR", "a"), b = redis.send("INCR", "b");
   * const [x, y] = [yield* a, yield* b];
   */
  send(...args: RedisArg[]): Future<RedisReply> {
    const connection = this.#connection;
    if (!this.#ready || connection === null) {
      const refused = new Future<RedisReply>();
      refused.setException(this.#notConnected());
      return refused;
    }
    return connection.send(args);
  }

  /**
   * Run one command and return its reply.
   * @throws RedisError for an error reply (the server's message; `code` is its first word),
   *   RedisConnectionError when Redis is not reachable or the connection drops first.
   * @example
   * const n = asInteger(yield* redis.call("INCR", "visits"));
   */
  *call(...args: RedisArg[]): Coro<RedisReply> {
    const reply = this.send(...args);
    if (this.#ready) yield* this.#connection!.drain();
    return yield* reply;
  }

  /** Wait until a connection is ready (at once if it is). */
  *waitConnected(): Coro<void> {
    yield* this.#readyEvent.wait();
  }

  /** Close the connection and stop reconnecting; commands still waiting fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#setReady(false);
    this.#connection?.close();
    this.#supervisor?.cancel();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #notConnected(): RedisConnectionError {
    const why = this.#closed ? "the Redis client was closed" : `not connected to Redis (${this.#where}), reconnecting`;
    return new RedisConnectionError(why, { cause: this.#lastError ?? undefined });
  }

  /** Open a socket, then AUTH / SELECT / CLIENT SETNAME on it before anyone else may use it. */
  *#open(): Coro<void> {
    const { path, host, port } = this.address;
    let socket: Socket;
    try {
      socket = yield* connect(
        path !== undefined ? { path, timeoutMs: this.#settings.connectTimeoutMs } : { host, port: port ?? 6379, timeoutMs: this.#settings.connectTimeoutMs },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new RedisConnectionError(`cannot connect to Redis at ${this.#where}: ${message}`, { cause: error });
    }
    if (path === undefined) socket.nodeSocket.setKeepAlive(true, KEEPALIVE_MS);
    // Why the callback: a command sent between the end and the supervisor's
    // next step must fail as "not connected", and waitConnected() must park.
    const connection = new RedisConnection(socket, this.#where, this.#settings.priority, (reason) => {
      this.#lastError = reason;
      if (this.#connection === connection) this.#setReady(false);
    });
    try {
      const { username, password, db } = this.address;
      const { clientName } = this.options;
      const steps: Future<RedisReply>[] = [];
      if (password !== undefined) steps.push(connection.send(username !== undefined ? ["AUTH", username, password] : ["AUTH", password]));
      if (db !== 0) steps.push(connection.send(["SELECT", db]));
      if (clientName !== undefined) steps.push(connection.send(["CLIENT", "SETNAME", clientName]));
      for (const step of steps) yield* step;
    } catch (error) {
      connection.close("the handshake with Redis failed");
      throw error;
    }
    this.#connection = connection;
    this.#generation++;
    this.#setReady(true);
  }

  /** Wait for the connection to end; reconnect with backoff; repeat until closed. */
  *#supervise(): Coro<void> {
    for (;;) {
      this.#lastError = yield* this.#connection!.waitEnded();
      this.#setReady(false);
      if (this.#closed || !this.#settings.reconnect) return;
      for (let attempt = 0; ; attempt++) {
        yield* sleep(this.#backoffMs(attempt));
        if (this.#closed) return;
        try {
          yield* this.#open();
          break;
        } catch (error) {
          this.#lastError = error instanceof RedisConnectionError ? error : new RedisConnectionError(String(error), { cause: error });
        }
      }
    }
  }

  /** Exponential, capped, with half of it random so that many nodes don't retry in step. */
  #backoffMs(attempt: number): number {
    const { minBackoffMs, maxBackoffMs } = this.#settings;
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(attempt, 20));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #setReady(ready: boolean): void {
    this.#ready = ready;
    if (ready) this.#readyEvent.set();
    else this.#readyEvent.clear();
  }
}
