/**
 * Following one node's streams (the room shards and its private inbox)
 * with one blocking XREAD on its own connection, and handing each entry to
 * the listener in stream order: the only way room lines reach a node's
 * members, its own members' lines included.
 *
 * Resuming: reads go on from the last id delivered per stream, so a lost
 * connection loses nothing and delivers nothing twice. When that can't be
 * trusted (Redis restarted and lost its data, or entries this node had not
 * read were trimmed away), `afterGap` runs, the listener hears `missed()`
 * once, and reading goes on with what Redis still holds.
 *
 * The reply barrier: `waitDelivered(stream, id)` returns once the entry has
 * been delivered here.
 */
import { createTask, Event, sleep, timeout, TimeoutError, type Coro, type Task } from "../../../loop/index.ts";
import { asArray, asInteger, asString, RedisConnectionError, RedisError, type RedisClient, type RedisReply } from "../../../redis/index.ts";
import { compareStreamIds, STREAM_START } from "./stream-id.ts";
import type { BrokerListener } from "./types.ts";

/** How long the check after a reconnect waits for the command connection (ms). */
const RECONNECT_WITHIN_MS = 2000;
/** How long a step waits for its own lines to come back before replying anyway (ms). */
const BARRIER_MS = 5000;
/** XREAD's BLOCK: how long one read waits for news. */
const BLOCK_MS = 5000;
/** Entries per XREAD: bounds one read's reply, and so its memory. */
const READ_BATCH = 1000;

export interface StreamFollowerOptions {
  prefix: string;
  nodeId: string;
  /** Stream names without the prefix (`shard:0`..., `inbox:NODE`). */
  streams: string[];
  listener: BrokerListener;
  /** Runs after a gap is found, before the listener's `missed()`. */
  afterGap: () => Coro<void>;
  /** Priority of the reading task. */
  priority: number;
}

interface Waiter {
  stream: string;
  id: string;
  done: Event;
}

/**
 * @example
 * const follower = new StreamFollower(client, blocking, options);
 * yield* follower.start();           // every stream from its current end
 * const task = follower.follow();    // reads and delivers until cancelled
 */
export class StreamFollower {
  readonly #client: RedisClient;
  readonly #blocking: RedisClient;
  readonly #options: StreamFollowerOptions;
  /** `nodeId/`: how this node's member ids start in an entry's `x` field. */
  readonly #mine: string;
  /** Stream name -> id of the last entry delivered from it. */
  readonly #lastIds = new Map<string, string>();
  /** Stream name -> how many entries the stream had had when its last delivered one was added. */
  readonly #positions = new Map<string, number>();
  #waiters: Waiter[] = [];
  #runId = "";

  /** `client` for INFO/XINFO, `blocking` (a connection of its own) for XREAD BLOCK. */
  constructor(client: RedisClient, blocking: RedisClient, options: StreamFollowerOptions) {
    this.#client = client;
    this.#blocking = blocking;
    this.#options = options;
    this.#mine = `${options.nodeId}/`;
  }

  /** Note the server's run id and where every stream ends: what came before is not for this node. */
  *start(): Coro<void> {
    this.#runId = yield* this.#serverRunId();
    const infos = this.#options.streams.map((name) => this.#streamInfo(name)); // Pipelined: all sent before the first reply.
    let failure: unknown = null;
    for (const [i, stream] of this.#options.streams.entries()) {
      try {
        const info = yield* infos[i]!;
        this.#lastIds.set(stream, info.lastId);
        this.#positions.set(stream, info.added);
      } catch (error) {
        failure ??= error; // Why go on: every reply must be taken, or its error is reported as never retrieved.
      }
    }
    if (failure !== null) throw failure;
  }

  /** Start the reading task (cancel it to stop). */
  follow(): Task<void> {
    return createTask(this.#readLoop(), { name: `broker reader ${this.#options.nodeId}`, priority: this.#options.priority });
  }

  /** The reply barrier: wait until entry `id` of `stream` has been delivered here (at most BARRIER_MS). */
  *waitDelivered(stream: string, id: string): Coro<void> {
    const last = this.#lastIds.get(stream);
    if (last !== undefined && compareStreamIds(last, id) >= 0) return;
    const waiter: Waiter = { stream, id, done: new Event() };
    this.#waiters.push(waiter);
    try {
      yield* timeout(BARRIER_MS, waiter.done.wait());
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    } finally {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    }
  }

  *#readLoop(): Coro<void> {
    const { streams, prefix } = this.#options;
    const keys = streams.map((name) => `${prefix}:${name}`);
    let mustCheck = false;
    for (;;) {
      // Why not read before the check succeeds: a read from ids past a gap
      // would deliver lines after it before the notice that some are missing.
      while (mustCheck) {
        mustCheck = !(yield* this.#checkResume());
        if (mustCheck) yield* sleep(100);
      }
      let reply: RedisReply;
      try {
        const ids = streams.map((name) => this.#lastIds.get(name)!);
        reply = yield* this.#blocking.call("XREAD", "COUNT", READ_BATCH, "BLOCK", BLOCK_MS, "STREAMS", ...keys, ...ids);
      } catch (error) {
        if (!(error instanceof RedisConnectionError)) throw error;
        yield* this.#blocking.waitConnected();
        mustCheck = true;
        continue;
      }
      let full = false;
      for (const entry of asArray(reply)) {
        const [key, entries] = asArray(entry) as [string, RedisReply[]];
        const stream = asString(key).slice(prefix.length + 1);
        for (const item of entries) this.#deliver(stream, asArray(item));
        full ||= entries.length >= READ_BATCH;
      }
      this.#wakeWaiters();
      // Why check a full batch: a node that lags by a whole batch may be
      // lagging by more than the streams keep.
      mustCheck = full;
    }
  }

  #deliver(stream: string, item: RedisReply[]): void {
    const id = asString(item[0]!);
    this.#lastIds.set(stream, id);
    this.#positions.set(stream, this.#positions.get(stream)! + 1);
    const fields = asArray(item[1]!);
    const { listener } = this.#options;
    const line = fieldOf(fields, "l") ?? "";
    if (stream.startsWith("inbox:")) {
      listener.privateLine(Number(fieldOf(fields, "m")), line);
      return;
    }
    const except = fieldOf(fields, "x") ?? "";
    const mine = this.#mine;
    listener.roomLine(fieldOf(fields, "r") ?? "", line, except.startsWith(mine) ? Number(except.slice(mine.length)) : null);
  }

  /**
   * After a reconnect (or a full batch): can reading resume from the last
   * ids? Not if Redis restarted (its run id changed: its data is gone) or
   * trimmed entries this node had not read yet. Then: `afterGap`, one
   * `missed()`, and reading goes on with what Redis still holds after the
   * gap. Returns false if Redis could not be asked (try again).
   */
  *#checkResume(): Coro<boolean> {
    try {
      yield* timeout(RECONNECT_WITHIN_MS, this.#client.waitConnected());
      const runId = yield* this.#serverRunId();
      const restarted = runId !== this.#runId;
      this.#runId = runId;
      let missed = restarted;
      for (const stream of this.#lastIds.keys()) {
        if (restarted) {
          // Everything this Redis holds came after its restart: read it all.
          this.#lastIds.set(stream, STREAM_START);
          this.#positions.set(stream, 0);
        } else if (yield* this.#skipTrimmed(stream)) {
          missed = true;
        }
      }
      if (missed) {
        // Why before the notice: once members hear of the gap, the chat has them back
        // (whether or not the lease loop's heartbeat already noticed the empty Redis).
        yield* this.#options.afterGap();
        this.#options.listener.missed();
        this.#wakeWaiters(true);
      }
      return true;
    } catch (error) {
      if (error instanceof RedisConnectionError || error instanceof TimeoutError) return false;
      throw error;
    }
  }

  /**
   * True if entries this node has not read were trimmed away; reading then
   * goes on with what is left after the gap (XREAD from the last id read
   * gives exactly that). Why count rather than compare ids: trimming doesn't
   * move XINFO's max-deleted-entry-id in Redis 7.0, but entries-added minus
   * length is how many entries are gone, oldest first, and the node knows
   * the position of the last one it read.
   */
  *#skipTrimmed(stream: string): Coro<boolean> {
    const { added, length } = yield* this.#streamInfo(stream);
    const removed = added - length;
    if (removed <= this.#positions.get(stream)!) return false;
    this.#positions.set(stream, removed);
    return true;
  }

  /**
   * A stream's last id, how many entries it ever had and how many it has
   * now (XINFO STREAM, Redis 7.0); a missing stream is empty. Sent at once,
   * so that several pipeline.
   */
  #streamInfo(stream: string): Coro<{ lastId: string; added: number; length: number }> {
    const reply = this.#client.send("XINFO", "STREAM", `${this.#options.prefix}:${stream}`);
    return (function* () {
      let info: RedisReply[];
      try {
        info = asArray(yield* reply);
      } catch (error) {
        if (error instanceof RedisError) return { lastId: STREAM_START, added: 0, length: 0 }; // No such key.
        throw error;
      }
      const field = (name: string): RedisReply => info[info.indexOf(name) + 1] ?? null;
      return { lastId: asString(field("last-generated-id")), added: asInteger(field("entries-added")), length: asInteger(field("length")) };
    })();
  }

  *#serverRunId(): Coro<string> {
    const info = asString(yield* this.#client.call("INFO", "server"));
    return /^run_id:(\w+)/m.exec(info)?.[1] ?? "";
  }

  /** Wake the waiters whose entries were delivered (all of them when resuming skipped entries). */
  #wakeWaiters(all = false): void {
    for (const waiter of this.#waiters) {
      const last = this.#lastIds.get(waiter.stream);
      if (all || (last !== undefined && compareStreamIds(last, waiter.id) >= 0)) waiter.done.set();
    }
  }
}

/** The value of field `name` in a stream entry's flat `[name, value, ...]` list. */
function fieldOf(fields: RedisReply[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return asString(fields[i + 1]!);
  return undefined;
}
