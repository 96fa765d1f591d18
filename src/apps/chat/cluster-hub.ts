/**
 * The chat of one server among several sharing one Redis: the same
 * commands and replies as ChatHub, but nicknames, rosters and room lines
 * live in the broker, and this server delivers room lines only as the
 * broker hands them back (its own members' included), so every member of a
 * room, on any server, sees one order.
 *
 * Each member's lines are handled one at a time, each to its end (its lines
 * come back from the broker) before the next: one sender's lines keep their
 * order, and a reply caused by a later line comes after them (the reply
 * barrier of docs/PROTOCOL.md). The server waits on the Future that
 * `handleLine` returns before reading that member's next line, so a fast
 * sender is slowed by TCP, never queued in memory.
 *
 * Parsing, validation, reply texts, paging, the nickname-change limit and
 * the cost of a line are the ones ChatHub uses (commands.ts, nick.ts,
 * paging.ts, line-cost.ts); this hub keeps only where the state lives and
 * the round trip to the broker.
 */
import { createTask, getRunningLoop, type Coro, type Task } from "../../loop/index.ts";
import { BrokerUnavailableError, type BrokerListener, type ChatBroker } from "./broker/types.ts";
import { announcesSender, immediateReply, parseCommand, type Command } from "./commands.ts";
import type { Member } from "./hub.ts";
import { LineCost } from "./line-cost.ts";
import { checkRename, nickChangeLimit } from "./nick.ts";
import { pageReply } from "./paging.ts";
import {
  action,
  chatUnavailable,
  GOODBYE,
  joined,
  MAYBE_MISSED,
  message,
  nickFlood,
  nickTaken,
  noSuchNick,
  privateMessage,
  privateSent,
  quitReason,
  renamed,
  roomsLines,
  sameRoom,
  SHUTTING_DOWN,
  welcome,
  whoLines,
  NOT_SHARED,
} from "./replies.ts";
import { LOBBY, roomKey } from "./room.ts";
import { sanitizeText } from "./sanitize.ts";
import type { TokenBucket } from "./token-bucket.ts";

/** Options of {@link ClusterHub}; every field has a default. */
export interface ClusterHubOptions {
  /** Clock in milliseconds for the nickname-change limit; default the running loop's. */
  now?: () => number;
}

/**
 * @example
 * const hub = new ClusterHub();
 * const broker = yield* RedisBroker.start(url, hub.listener);
 * hub.attach(broker);
 * yield* hub.join(member);
 * const tokens = yield* hub.handleLine(member, "hello")!; // back from Redis on every server
 */
export class ClusterHub {
  #broker: ChatBroker | null = null;
  readonly #members = new Map<number, Member>();
  /** Member id -> its allowance of nickname changes. */
  readonly #nickLimits = new Map<number, TokenBucket>();
  /** Room key -> this server's members in it: whom a room line from the broker goes to. */
  readonly #rooms = new Map<string, Set<Member>>();
  /**
   * Member id -> room lines held back while it enters a room. Why: the
   * member is in the room here before the step that enters it in Redis
   * returns with the history; live lines that come meanwhile wait for the
   * join notice and the history, as on one server. Those that come before
   * its own join notice were said before it entered (so are in the
   * history, or were notices it would not have seen): dropped.
   */
  readonly #entering = new Map<number, string[]>();
  /** Steps started outside a line (leaves, delayed announcements), waited for at close. */
  readonly #background = new Set<Task<void>>();
  readonly #now: () => number;
  #closed = false;

  constructor(options: ClusterHubOptions = {}) {
    this.#now = options.now ?? (() => getRunningLoop().time());
  }

  /** What the broker calls with lines for this server's members. */
  readonly listener: BrokerListener = {
    roomLine: (key, line, except) => {
      const members = this.#rooms.get(key);
      if (members === undefined) return;
      for (const member of members) {
        const held = this.#entering.get(member.id);
        // Its own join notice marks where it entered: lines before were said before, so in its history.
        if (member.id === except) held?.splice(0);
        else if (held === undefined) member.send(line);
        else held.push(line);
      }
    },
    privateLine: (memberId, line) => this.#members.get(memberId)?.send(line),
    missed: () => {
      for (const member of this.#members.values()) member.send(MAYBE_MISSED);
    },
  };

  /** Rooms with members on this server (the chat's other rooms live on other servers). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Use `broker` (started with this hub's `listener`). */
  attach(broker: ChatBroker): void {
    this.#broker = broker;
  }

  /**
   * Admit a client: guest nickname, welcome, #lobby (it alone is told
   * `* guest1 joined #lobby`; the room when it is announced, as with
   * ChatHub). Redis away: one `! ` line and the client is closed.
   */
  *join(member: Member): Coro<void> {
    if (this.#closed) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
      return;
    }
    this.#members.set(member.id, member);
    this.#nickLimits.set(member.id, nickChangeLimit(this.#now));
    try {
      const { history } = yield* this.#need().admit(member.id, (nick) => {
        member.nick = nick;
        member.send(welcome(nick));
        member.send(joined(nick, LOBBY)); // Before any room line reaches it.
        this.#enterLocally(member, LOBBY);
        this.#entering.set(member.id, []);
      });
      for (const line of [...history, ...this.#takeHeld(member)]) member.send(line);
    } catch (caught) {
      this.#entering.delete(member.id);
      if (!(caught instanceof BrokerUnavailableError)) throw caught;
      member.send(chatUnavailable(caught.message));
      this.#leaveLocally(member);
      member.close(caught.message);
    }
  }

  /**
   * Tell a newcomer's room, on every server, of its arrival if it was not
   * told yet: the server calls it an admission delay after {@link join}.
   * Runs in the background; Redis away, the member's next line tries again.
   */
  announce(member: Member): void {
    if (!this.#members.has(member.id) || this.#need().isAnnounced(member.id)) return;
    this.#inBackground(this.#announce(member));
  }

  /**
   * Handle one line of `member`; returns the task doing it (the server waits
   * for it before reading the member's next line), or undefined for a line
   * with nothing to do. The task's result is what the line cost in flood
   * tokens, counted as ChatHub counts it (line-cost.ts): notices by this
   * server's members of the room.
   */
  handleLine(member: Member, text: string): Task<number> | undefined {
    if (!this.#members.has(member.id)) return undefined;
    const command = parseCommand(sanitizeText(text));
    if (command === undefined) return undefined;
    return createTask(this.#handle(member, command));
  }

  /** Remove a member that disconnected (once; later calls do nothing). Runs in the background. */
  leave(member: Member, reason?: string): void {
    if (!this.#leaveLocally(member)) return;
    this.#inBackground(this.#leaveBroker(member, reason));
  }

  /** Tell quiet rooms, on every server, what they were not told one by one (the server calls it once per interval). */
  flushCrowdNotices(): void {
    if (this.#closed) return;
    this.#inBackground(this.#need().flushCrowdNotices()); // Redis away: the tallies wait there for the next interval.
  }

  /** `* server shutting down` to every member here, and close them. */
  shutdown(): void {
    this.#closed = true;
    const members = Array.from(this.#members.values());
    this.#members.clear();
    this.#nickLimits.clear();
    this.#entering.clear();
    this.#rooms.clear();
    for (const member of members) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
    }
  }

  /** After shutdown: let running leaves finish, then release this server's nicknames and lease. */
  *close(): Coro<void> {
    for (const task of [...this.#background]) {
      try {
        yield* task;
      } catch {
        // Reported as the member left; nothing more to do for it.
      }
    }
    yield* this.#need().close();
  }

  *#handle(member: Member, command: Command): Coro<number> {
    const broker = this.#need();
    const cost = new LineCost();
    try {
      if (announcesSender(command)) yield* this.#announce(member, cost);
      const immediate = immediateReply(command);
      if (immediate !== null) {
        cost.replyAll(member, immediate);
        return cost.tokens;
      }
      switch (command.kind) {
        case "message":
          yield* broker.say(member.id, message(member.nick, command.text), true);
          break;
        case "me":
          yield* broker.say(member.id, action(member.nick, command.text), false);
          break;
        case "msg": {
          const to = yield* broker.whisper(member.id, command.nick, privateMessage(member.nick, command.text));
          cost.reply(member, to === null ? noSuchNick(command.nick) : privateSent(to, command.text));
          break;
        }
        case "nick":
          yield* this.#rename(member, command.name, cost);
          break;
        case "join":
          yield* this.#move(member, command.room, cost);
          break;
        case "who": {
          const { page } = command;
          const { items, total } = yield* broker.who(member.room, page);
          cost.replyAll(member, pageReply(page, total, () => whoLines(member.room, { items, page, total })));
          break;
        }
        case "rooms": {
          const { page } = command;
          const { items, total } = yield* broker.rooms(page);
          cost.replyAll(member, pageReply(page, total, () => roomsLines({ items, page, total })));
          break;
        }
        case "quit": {
          const reason = quitReason(command.reason);
          cost.reply(member, GOODBYE);
          if (this.#leaveLocally(member)) yield* this.#leaveBroker(member, reason);
          member.close(reason);
          break;
        }
        default:
          // Operators, bans, keys and topics are one server's so far.
          cost.reply(member, NOT_SHARED);
          break;
      }
    } catch (caught) {
      if (!(caught instanceof BrokerUnavailableError)) throw caught;
      if (this.#members.has(member.id)) cost.reply(member, chatUnavailable(caught.message)); // Else it left meanwhile: nobody to answer.
    }
    return cost.tokens;
  }

  /** Announce `member` if it was not yet (a notice to its room, or a tally in a quiet one). */
  *#announce(member: Member, cost?: LineCost): Coro<void> {
    const broker = this.#need();
    if (broker.isAnnounced(member.id)) return;
    cost?.notice(this.#localCount(member.room) - 1);
    yield* broker.announce(member.id);
  }

  *#rename(member: Member, requested: string, cost: LineCost): Coro<void> {
    const check = checkRename(requested, member.nick);
    if (!check.ok) {
      cost.reply(member, check.reply);
      return;
    }
    const limit = this.#nickLimits.get(member.id)!;
    if (!limit.take()) {
      cost.reply(member, nickFlood());
      return;
    }
    const broker = this.#need();
    const wasAnnounced = broker.isAnnounced(member.id);
    const old = member.nick;
    let done = false;
    try {
      done = yield* broker.rename(member.id, check.nick);
    } finally {
      if (!done) limit.charge(-1); // Why: a refused or failed change is not a change (as ChatHub checks before taking).
    }
    if (!done) {
      cost.reply(member, nickTaken(check.nick));
      return;
    }
    member.nick = check.nick;
    if (wasAnnounced) cost.notice(this.#localCount(member.room) - 1);
    cost.reply(member, renamed(old, check.nick));
    if (!wasAnnounced) yield* this.#announce(member, cost); // Under the new name only.
  }

  *#move(member: Member, roomName: string, cost: LineCost): Coro<void> {
    const from = member.room;
    if (roomKey(roomName) === roomKey(from)) {
      cost.reply(member, sameRoom(from));
      return;
    }
    // Why switch here first: the member must not get its old room's lines
    // once it left, and must get every new room line after its entry,
    // whichever of the two shards the reader delivers first.
    const wasAnnounced = this.#need().isAnnounced(member.id);
    this.#exitLocally(member);
    this.#enterLocally(member, roomName);
    this.#entering.set(member.id, []);
    let history: string[];
    try {
      history = yield* this.#need().move(member.id, roomName);
    } catch (caught) {
      this.#entering.delete(member.id); // Lines of a room it did not enter.
      this.#exitLocally(member);
      this.#enterLocally(member, from);
      throw caught;
    }
    cost.notice((wasAnnounced ? this.#localCount(from) : 0) + this.#localCount(roomName) - 1);
    cost.reply(member, joined(member.nick, roomName));
    cost.replyAll(member, history);
    for (const line of this.#takeHeld(member)) member.send(line);
  }

  /** Redis away: the broker retries the removal once it is back. */
  *#leaveBroker(member: Member, reason: string | undefined): Coro<void> {
    yield* swallowUnavailable(this.#need().leave(member.id, reason));
  }

  /** The room lines held back while `member` entered a room; it gets them live from now on. */
  #takeHeld(member: Member): string[] {
    const held = this.#entering.get(member.id) ?? [];
    this.#entering.delete(member.id);
    return held;
  }

  /** Run a step outside any line; tracked so close() lets it finish. */
  #inBackground(coro: Coro<void>): void {
    const task = createTask(swallowUnavailable(coro));
    this.#background.add(task);
    task.addDoneCallback(() => this.#background.delete(task));
  }

  #localCount(roomName: string): number {
    return this.#rooms.get(roomKey(roomName))?.size ?? 0;
  }

  #enterLocally(member: Member, roomName: string): void {
    const key = roomKey(roomName);
    let members = this.#rooms.get(key);
    if (members === undefined) this.#rooms.set(key, (members = new Set()));
    members.add(member);
    member.room = roomName;
  }

  #exitLocally(member: Member): void {
    const key = roomKey(member.room);
    const members = this.#rooms.get(key);
    members?.delete(member);
    if (members?.size === 0) this.#rooms.delete(key);
  }

  /** Forget a member here; false if it was already gone. */
  #leaveLocally(member: Member): boolean {
    if (!this.#members.delete(member.id)) return false;
    this.#nickLimits.delete(member.id);
    this.#entering.delete(member.id);
    this.#exitLocally(member);
    return true;
  }

  #need(): ChatBroker {
    if (this.#broker === null) throw new Error("ClusterHub used before attach(broker)");
    return this.#broker;
  }
}

/** A background step that meets a Redis outage just ends: whoever needs it again tries again. */
function* swallowUnavailable(coro: Coro<void>): Coro<void> {
  try {
    yield* coro;
  } catch (caught) {
    if (!(caught instanceof BrokerUnavailableError)) throw caught;
  }
}
