/**
 * The chat's state shared by every node through Redis: nicknames, rosters,
 * room lines, private lines, node leases.
 *
 * Ordering: a room's lines live in one stream shard (the room key's hash),
 * so every node reads them in the shard's order; each node delivers room
 * lines only from that read, its own members' lines included, so every
 * member sees one order. A step that appends (a message, a join...) returns
 * only once this node's reader has delivered what it appended: the reply
 * barrier that keeps a sender's later replies after its own lines.
 *
 * Failure: a step that meets a lost connection is retried once with the same
 * (node, seq), which the APPLY script answers from its cache if it ran
 * already; if Redis is still away it throws BrokerUnavailableError and
 * nothing is queued. Reading the streams, resuming after an outage and the
 * barrier are the StreamFollower's (stream-follower.ts); after a gap it
 * asks this broker to register the node's members again.
 */
import { hostname } from "node:os";
import { createTask, getRunningLoop, sleep, timeout, TimeoutError, type Coro, type Task } from "../../../loop/index.ts";
import {
  asArray,
  asInteger,
  asString,
  RedisClient,
  RedisConnectionError,
  RedisScript,
  type RedisArg,
  type RedisReply,
} from "../../../redis/index.ts";
import { DEFAULT_HISTORY_LINES, historyLine } from "../history.ts";
import { nickKey } from "../nick.ts";
import { pageRange } from "../paging.ts";
import { crowdNotice, joined, leftChat, leftRoom, NODE_LOST_REASON, renamed, SHUTDOWN_REASON } from "../replies.ts";
import { DEFAULT_QUIET_ROOM_SIZE, LOBBY, roomKey } from "../room.ts";
import { APPLY, HEARTBEAT, OP_ARITY, REAP, ROOMS_PAGE, TAKE_TALLIES, WHO_PAGE, type OpName } from "./scripts.ts";
import { BrokerStats } from "./broker-stats.ts";
import { StreamFollower } from "./stream-follower.ts";
import {
  BrokerUnavailableError,
  type Admission,
  type BrokerListener,
  type ChatBroker,
  type HistoryOptions,
  type ListPage,
  type TallyField,
} from "./types.ts";

export { BrokerUnavailableError, type BrokerListener, type ChatBroker } from "./types.ts";

export interface RedisBrokerOptions extends HistoryOptions {
  /** Key prefix, so several chats can share one Redis (default "boucle"). */
  prefix?: string;
  /** Number of room stream shards; every node of one chat must use the same (default 16). */
  shards?: number;
  /** Approximate length each stream is trimmed to (XADD MAXLEN ~; default 10 000). */
  maxLen?: number;
  /** A node whose lease is not renewed for this long is lost (default 10 000 ms). */
  leaseMs?: number;
  /** This node's id (default host-pid-random). */
  nodeId?: string;
  /** Priority of the task that reads and delivers the streams (default 0). */
  readerPriority?: number;
  /** Longest wait for Redis' answer to one step (default 5000 ms). */
  stepTimeoutMs?: number;
  /** Rooms above this many members (on all nodes) get tallies instead of join, leave and rename notices (default 100). */
  quietRoomSize?: number;
}

/** How long a step waits for Redis to come back before giving up (ms). */
const RETRY_WITHIN_MS = 2000;
/**
 * Longest wait for one reply to a step. Why a bound: a Redis that is
 * paused, or a link cut without a reset, answers nothing and reports
 * nothing; the member gets the unavailable error rather than silence.
 */
const STEP_TIMEOUT_MS = 5000;

/** A step that failed for want of Redis, to do again under the same seq (so it is done once, whether or not it had run). */
interface StepToRetry {
  seq: number;
  ops: Op[];
}
/** Members removed per step at close: keeps one Lua step short (Redis runs nothing else meanwhile). */
const LEAVES_PER_STEP = 200;

const APPLY_SCRIPT = new RedisScript(APPLY);
const HEARTBEAT_SCRIPT = new RedisScript(HEARTBEAT);
const REAP_SCRIPT = new RedisScript(REAP);
const ROOMS_SCRIPT = new RedisScript(ROOMS_PAGE);
const WHO_SCRIPT = new RedisScript(WHO_PAGE);
const TAKE_TALLIES_SCRIPT = new RedisScript(TAKE_TALLIES);

interface LocalMember {
  nick: string;
  roomName: string;
  /** Whether its room was told of its arrival (see ChatBroker.announce). */
  announced: boolean;
}

/**
 * @example
 * const broker = yield* RedisBroker.start("redis://127.0.0.1:6379", listener);
 * const nick = yield* broker.admit(7);             // "guest1", joined to #lobby
 * yield* broker.say(7, "<guest1> hi", true);       // every node's #lobby gets it
 */
export class RedisBroker implements ChatBroker {
  readonly nodeId: string;
  readonly prefix: string;
  readonly shards: number;
  /** Round trips and backlog, for the metrics endpoint. */
  readonly stats = new BrokerStats();
  readonly #maxLen: number;
  readonly #leaseMs: number;
  readonly #quietRoomSize: number;
  readonly #historyLines: number;
  readonly #wallClock: () => number;
  readonly #client: RedisClient;
  readonly #blocking: RedisClient;
  readonly #members = new Map<number, LocalMember>();
  readonly #follower: StreamFollower;
  #leavesToRetry: StepToRetry[] = [];
  readonly #stepTimeoutMs: number;
  #seq = 0;
  #tasks: Task<void>[] = [];
  #closed = false;

  private constructor(client: RedisClient, blocking: RedisClient, listener: BrokerListener, options: RedisBrokerOptions) {
    this.#client = client;
    this.#blocking = blocking;
    this.stats.connected = () => client.connected;
    this.prefix = options.prefix ?? "boucle";
    this.shards = options.shards ?? 16;
    this.#maxLen = options.maxLen ?? 10_000;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#quietRoomSize = options.quietRoomSize ?? DEFAULT_QUIET_ROOM_SIZE;
    this.#stepTimeoutMs = options.stepTimeoutMs ?? STEP_TIMEOUT_MS;
    this.#historyLines = options.historyLines ?? DEFAULT_HISTORY_LINES;
    this.#wallClock = options.wallClock ?? Date.now;
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const streams = Array.from({ length: this.shards }, (_, i) => `shard:${i}`);
    streams.push(`inbox:${this.nodeId}`);
    this.#follower = new StreamFollower(client, blocking, {
      prefix: this.prefix,
      nodeId: this.nodeId,
      streams,
      listener,
      afterGap: () => this.#afterGap(),
      priority: options.readerPriority ?? 0,
    });
  }

  /**
   * Connect (two connections: one for steps, one for the blocking read),
   * note where every stream ends, take a lease and start reading.
   * @throws RedisConnectionError if Redis can't be reached.
   */
  static *start(url: string, listener: BrokerListener, options: RedisBrokerOptions = {}): Coro<RedisBroker> {
    const client = yield* RedisClient.connect(url, { clientName: "boucle-chat" });
    let blocking: RedisClient;
    try {
      blocking = yield* client.duplicate({ clientName: "boucle-chat-reader" });
    } catch (error) {
      client.close();
      throw error;
    }
    const broker = new RedisBroker(client, blocking, listener, options);
    try {
      yield* broker.#begin();
    } catch (error) {
      broker.abandon();
      throw error;
    }
    return broker;
  }

  /** The shard stream of a room (its name without the prefix). */
  shardOf(key: string): string {
    return `shard:${fnv1a(key) % this.shards}`;
  }

  /**
   * Give member `memberId` a free guest nickname, tell `onNick` (the welcome
   * goes out before anyone sees the newcomer), then put it in #lobby,
   * unannounced; with #lobby's history read in the step that enters it.
   */
  *admit(memberId: number, onNick: (nick: string) => void = () => {}): Coro<Admission> {
    let nick: string;
    do {
      const n = yield* this.#attempt(() => this.#client.call("INCR", this.#key("guests")));
      nick = `guest${asInteger(n)}`;
    } while ((yield* this.#step([["claim", nickKey(nick), this.#holder(memberId, nick)]])) !== "ok");
    this.#members.set(memberId, { nick, roomName: LOBBY, announced: false });
    onNick(nick);
    const history = yield* this.#recalling(this.#enterOps(memberId, nick, LOBBY), LOBBY);
    return { nick, history };
  }

  isAnnounced(memberId: number): boolean {
    return this.#members.get(memberId)?.announced ?? false;
  }

  /** Tell the member's room (the member excepted) that it arrived, once; a failed step leaves it unannounced. */
  *announce(memberId: number): Coro<void> {
    const member = this.#members.get(memberId);
    if (member === undefined || member.announced) return;
    member.announced = true; // Why now: a second call while this step runs must not announce it twice.
    try {
      yield* this.#step([this.#notice(memberId, member.roomName, joined(member.nick, member.roomName), "joined")]);
    } catch (error) {
      member.announced = false;
      throw error;
    }
  }

  /** Rename a member (`nick` already validated); false if someone holds the name. */
  *rename(memberId: number, nick: string): Coro<boolean> {
    const member = this.#member(memberId);
    const room = roomKey(member.roomName);
    const ops: Op[] = [
      ["release", nickKey(member.nick), this.#holder(memberId, member.nick)],
      ["claim", nickKey(nick), this.#holder(memberId, nick)],
      ["rename", room, member.nick, nick],
      ["member", String(memberId), this.#record(nick, member.roomName)],
    ];
    if (member.announced) ops.push(this.#notice(memberId, member.roomName, renamed(member.nick, nick), "renamed"));
    const status = yield* this.#step(ops);
    if (status !== "ok") return false;
    member.nick = nick;
    return true;
  }

  /**
   * Move a member to the room called `roomName` (valid, not its current
   * room), announced there at once; returns the room's history as it entered.
   */
  *move(memberId: number, roomName: string): Coro<string[]> {
    const member = this.#member(memberId);
    const from = roomKey(member.roomName);
    const ops: Op[] = [];
    if (member.announced) ops.push(this.#notice(memberId, member.roomName, leftRoom(member.nick, member.roomName), "left"));
    ops.push(["exit", from, member.nick], ...this.#enterOps(memberId, member.nick, roomName));
    ops.push(this.#notice(memberId, roomName, joined(member.nick, roomName), "joined"));
    const history = yield* this.#recalling(ops, roomName);
    member.roomName = roomName;
    member.announced = true;
    return history;
  }

  /**
   * Send `line` (a message, or an action) to the member's room, and keep it
   * in the room's history in the same step; `exceptSender` keeps it from the sender (a message).
   */
  *say(memberId: number, line: string, exceptSender: boolean): Coro<void> {
    const room = roomKey(this.#member(memberId).roomName);
    const ops: Op[] = [["append", this.shardOf(room), room, line, exceptSender ? `${this.nodeId}/${memberId}` : ""]];
    if (this.#historyLines > 0) ops.push(["keep", room, historyLine(line, this.#wallClock()), String(this.#historyLines)]);
    yield* this.#step(ops);
  }

  /** Send a private `line` to whoever holds `toNick`, on any node; returns the holder's spelling, or null if nobody. */
  *whisper(memberId: number, toNick: string, line: string): Coro<string | null> {
    this.#member(memberId);
    let spelling: string | null = null;
    const status = yield* this.#step([["whisper", nickKey(toNick), line]], (result) => {
      spelling = asString(result[3]!);
    });
    return status === "ok" ? spelling : null;
  }

  /**
   * Remove a member (it disconnected or quit); its room gets `* nick left[ (reason)]`.
   * If Redis is away the removal is kept and retried at each heartbeat, so
   * the nickname is not held for ever by someone who is gone.
   * @throws BrokerUnavailableError after keeping it for later.
   */
  *leave(memberId: number, reason?: string): Coro<void> {
    const member = this.#members.get(memberId);
    if (member === undefined) return;
    this.#members.delete(memberId);
    const leave: StepToRetry = { seq: ++this.#seq, ops: this.#leaveOps(memberId, member, reason) };
    try {
      yield* this.#step(leave.ops, undefined, true, leave.seq);
    } catch (error) {
      // Why the same seq: a step that timed out may still run once Redis answers again.
      if (error instanceof BrokerUnavailableError) this.#leavesToRetry.push(leave);
      throw error;
    }
  }

  /** Page `page` of the nicknames in a room, on every node, in join order: one ZRANGE of that page. */
  *who(roomName: string, page: number): Coro<ListPage<string>> {
    const { start, end } = pageRange(page);
    const key = this.#key(`room:${roomKey(roomName)}`);
    const [total, ...nicks] = asArray(yield* this.#attempt(() => WHO_SCRIPT.run(this.#client, [key], [start, end - 1])));
    return { total: asInteger(total!), items: nicks.map(asString) };
  }

  /** Page `page` of the rooms of the chat with their sizes, in creation order. */
  *rooms(page: number): Coro<ListPage<{ name: string; size: number }>> {
    const { start, end } = pageRange(page);
    const [total, ...flat] = asArray(yield* this.#attempt(() => ROOMS_SCRIPT.run(this.#client, [], [this.prefix, start, end - 1])));
    const items: { name: string; size: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) items.push({ name: asString(flat[i]!), size: asInteger(flat[i + 1]!) });
    return { total: asInteger(total!), items };
  }

  /**
   * Take the quiet rooms' tallies and append one crowd notice per room.
   * Why two steps: the wording stays in replies.ts; a node lost between them loses one interval's tally.
   */
  *flushCrowdNotices(): Coro<void> {
    const flat = asArray(yield* this.#attempt(() => TAKE_TALLIES_SCRIPT.run(this.#client, [], [this.prefix])));
    const ops: Op[] = [];
    for (let i = 0; i + 5 < flat.length; i += 6) {
      const key = asString(flat[i]!);
      const tally = { joined: asInteger(flat[i + 3]!), left: asInteger(flat[i + 4]!), renamed: asInteger(flat[i + 5]!) };
      ops.push(["append", this.shardOf(key), key, crowdNotice(asString(flat[i + 1]!), tally, asInteger(flat[i + 2]!)), ""]);
    }
    if (ops.length > 0) yield* this.#step(ops, undefined, false);
  }

  /** Members of this node the broker knows (for tests and logs). */
  get localMembers(): ReadonlyMap<number, Readonly<LocalMember>> {
    return this.#members;
  }

  /**
   * Stop: release this node's members and lease (so their nicknames are
   * free at once, as after a normal leave, without a notice), close both connections.
   */
  *close(): Coro<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const task of this.#tasks) task.cancel();
    try {
      yield* timeout(1000, this.#forgetNode());
    } catch {
      // Redis away: the lease expires and a survivor reaps us.
    }
    this.#client.close();
    this.#blocking.close();
  }

  /** Stop at once, as a crash would: no clean-up in Redis (a failed start; tests of lease expiry). */
  abandon(): void {
    this.#closed = true;
    for (const task of this.#tasks) task.cancel();
    this.#client.close();
    this.#blocking.close();
  }

  *#begin(): Coro<void> {
    yield* this.#follower.start();
    yield* this.#heartbeat();
    this.#tasks = [this.#follower.follow(), createTask(this.#leaseLoop(), { name: `broker lease ${this.nodeId}` })];
  }

  /** After a gap in the streams, before members hear of it: the chat has them back. */
  *#afterGap(): Coro<void> {
    yield* this.#heartbeat();
    yield* this.#reregister();
  }

  *#leaseLoop(): Coro<void> {
    for (;;) {
      yield* sleep(this.#leaseMs / 4);
      try {
        yield* this.#heartbeat();
        yield* this.#retryLeaves();
        yield* this.#reap();
      } catch (error) {
        if (!(error instanceof RedisConnectionError || error instanceof BrokerUnavailableError)) throw error;
        // Redis away: try at the next beat; meanwhile steps report the outage.
      }
    }
  }

  /** Renew the lease; if Redis had forgotten this node, register its members again. */
  *#heartbeat(): Coro<void> {
    const added = yield* HEARTBEAT_SCRIPT.run(this.#client, [], [this.prefix, this.nodeId, this.#leaseMs]);
    if (added === 1 && this.#members.size > 0) yield* this.#reregister();
  }

  /** Put this node's members back (after Redis lost them): best effort, a nickname taken meanwhile stays with its new holder. */
  *#reregister(): Coro<void> {
    for (const [memberId, member] of this.#members) {
      const room = roomKey(member.roomName);
      yield* this.#step([
        ["claim", nickKey(member.nick), this.#holder(memberId, member.nick)],
        ["enter", room, member.roomName, member.nick],
        ["member", String(memberId), this.#record(member.nick, member.roomName)],
      ]);
    }
  }

  *#reap(): Coro<void> {
    const notice = leftChat("\u0000", NODE_LOST_REASON);
    const [before, after] = notice.split("\u0000") as [string, string];
    yield* REAP_SCRIPT.run(this.#client, [], [this.prefix, this.#maxLen, before, after, this.#quietRoomSize]);
  }

  /**
   * At close: every member leaves (its room, on every server, gets `* nick
   * left (server shutting down)`), then the lease and this node's keys go.
   * Without the barrier: the reader is already stopped.
   */
  *#forgetNode(): Coro<void> {
    const members = Array.from(this.#members);
    this.#members.clear();
    for (let i = 0; i < members.length; i += LEAVES_PER_STEP) {
      const ops = members.slice(i, i + LEAVES_PER_STEP).flatMap(([memberId, member]) => this.#leaveOps(memberId, member, SHUTDOWN_REASON));
      yield* this.#step(ops, undefined, false);
    }
    yield* this.#client.call("DEL", this.#key(`members:${this.nodeId}`), this.#key(`lease:${this.nodeId}`), this.#key(`results:${this.nodeId}`));
    yield* this.#client.call("SREM", this.#key("nodes"), this.nodeId);
  }

  #leaveOps(memberId: number, member: LocalMember, reason: string | undefined): Op[] {
    const room = roomKey(member.roomName);
    const ops: Op[] = [];
    // Why before the exit: a room is quiet by its size with the leaver in it, as on one server.
    if (member.announced) ops.push(this.#notice(memberId, member.roomName, leftChat(member.nick, reason), "left"));
    ops.push(["release", nickKey(member.nick), this.#holder(memberId, member.nick)], ["exit", room, member.nick], ["forget", String(memberId)]);
    return ops;
  }

  /** Leaves that failed while Redis was away, oldest first. */
  *#retryLeaves(): Coro<void> {
    while (this.#leavesToRetry.length > 0) {
      const { ops, seq } = this.#leavesToRetry[0]!;
      yield* this.#step(ops, undefined, false, seq); // Why no barrier: nobody waits for this line.
      this.#leavesToRetry.shift();
    }
  }

  /**
   * Run `ops` (which enter `roomName`) with a recall of the room's history in
   * the same step. Why one step: a line said meanwhile is either in the
   * history or after the entry in the stream, so it reaches the member once.
   */
  *#recalling(ops: Op[], roomName: string): Coro<string[]> {
    if (this.#historyLines === 0) {
      yield* this.#step(ops);
      return [];
    }
    let history: string[] = [];
    yield* this.#step([...ops, ["recall", roomKey(roomName)]], (result) => {
      // The recall is the last op, so its `recall, json` pair ends the result.
      history = (JSON.parse(asString(result[result.length - 1]!)) as string[]).slice(-this.#historyLines);
    });
    return history;
  }

  /** Roster ops only: the notice is the caller's (announce, move). */
  #enterOps(memberId: number, nick: string, roomName: string): Op[] {
    return [
      ["enter", roomKey(roomName), roomName, nick],
      ["member", String(memberId), this.#record(nick, roomName)],
    ];
  }

  /** A notice of member `memberId`'s own act, kept from it, or tallied if its room is quiet. */
  #notice(memberId: number, roomName: string, line: string, field: TallyField): Op {
    const room = roomKey(roomName);
    return ["notice", this.shardOf(room), room, line, `${this.nodeId}/${memberId}`, field, String(this.#quietRoomSize)];
  }

  /**
   * Apply `ops` atomically (retrying once with the same seq after a lost
   * connection), then wait until this node has delivered what they appended.
   * Returns the step's status: "ok", "taken" or "nosuch".
   */
  *#step(ops: Op[], onResult?: (result: RedisReply[]) => void, barrier = true, seq = ++this.#seq): Coro<string> {
    const args: RedisArg[] = [this.prefix, this.nodeId, seq, this.#maxLen];
    for (const op of ops) {
      if (op.length !== OP_ARITY[op[0]] + 1) throw new Error(`broker op ${op[0]} takes ${OP_ARITY[op[0]]} arguments`);
      args.push(...op);
    }
    const loop = getRunningLoop();
    const started = loop.time();
    this.stats.inFlight++;
    try {
      const status = yield* this.#apply(args, onResult, barrier);
      this.stats.stepSeconds.observe((loop.time() - started) / 1000); // The loop clock is in ms.
      return status;
    } finally {
      this.stats.inFlight--;
    }
  }

  /** {@link #step}'s work: run the script, then the barrier. */
  *#apply(args: RedisArg[], onResult: ((result: RedisReply[]) => void) | undefined, barrier: boolean): Coro<string> {
    const result = asArray(yield* this.#attempt(() => APPLY_SCRIPT.run(this.#client, [], args)));
    const status = asString(result[0]!);
    if (status === "ok") onResult?.(result);
    if (status === "ok" && barrier) {
      for (let i = 1; i + 1 < result.length; i += 2) {
        const stream = asString(result[i]!);
        if (stream === "recall") continue; // A room's history, not a line to wait for.
        if (stream.startsWith("inbox:") && stream !== `inbox:${this.nodeId}`) {
          i++; // A whisper to another node: skip its spelling; nothing to wait for here.
          continue;
        }
        yield* this.#follower.waitDelivered(stream, asString(result[i + 1]!));
        if (stream.startsWith("inbox:")) i++;
      }
    }
    return status;
  }

  /** Run `work`; after a lost connection wait (briefly) for Redis and run it once more. */
  *#attempt<T>(work: () => Coro<T>): Coro<T> {
    try {
      return yield* timeout(this.#stepTimeoutMs, work());
    } catch (error) {
      if (!(error instanceof RedisConnectionError) || this.#closed) throw this.#unavailable(error);
    }
    try {
      yield* timeout(RETRY_WITHIN_MS, this.#client.waitConnected());
      return yield* timeout(this.#stepTimeoutMs, work());
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  #unavailable(error: unknown): unknown {
    if (error instanceof RedisConnectionError || error instanceof TimeoutError) {
      this.stats.unavailable++;
      return new BrokerUnavailableError(`chat service unavailable (Redis at ${this.#client.where} is not answering)`, { cause: error });
    }
    return error;
  }

  #member(memberId: number): LocalMember {
    const member = this.#members.get(memberId);
    if (member === undefined) throw new Error(`member ${memberId} is not admitted on this node`);
    return member;
  }

  #holder(memberId: number, nick: string): string {
    return `${this.nodeId}\t${memberId}\t${nick}`;
  }

  #record(nick: string, roomName: string): string {
    const room = roomKey(roomName);
    return `${nickKey(nick)}\t${nick}\t${room}\t${this.shardOf(room)}`;
  }

  #key(name: string): string {
    return `${this.prefix}:${name}`;
  }
}

type Op = [OpName, ...string[]];

/** 32-bit FNV-1a: a stable, well-spread hash for picking a room's shard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
