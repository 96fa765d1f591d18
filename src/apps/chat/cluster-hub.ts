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
 */
import { createTask, type Coro, type Task } from "../../loop/index.ts";
import { BrokerUnavailableError, type BrokerListener, type ChatBroker } from "./broker/types.ts";
import { parseCommand } from "./commands.ts";
import type { Member } from "./hub.ts";
import { normalizeNick } from "./nick.ts";
import {
  action,
  chatUnavailable,
  error,
  GOODBYE,
  HELP,
  MAYBE_MISSED,
  message,
  nickTaken,
  noSuchPage,
  pageCount,
  PAGE_SIZE,
  PONG,
  type Page,
  noSuchNick,
  privateMessage,
  privateSent,
  quitReason,
  roomsLines,
  sameNick,
  sameRoom,
  SHUTTING_DOWN,
  welcome,
  whoLines,
  NOT_SHARED,
} from "./replies.ts";
import { LOBBY, roomKey } from "./room.ts";
import { stripControls } from "./sanitize.ts";

/**
 * @example
 * const hub = new ClusterHub();
 * const broker = yield* RedisBroker.start(url, hub.listener);
 * hub.attach(broker);
 * yield* hub.join(member);
 * yield* hub.handleLine(member, "hello"); // back from Redis on every server
 */
export class ClusterHub {
  #broker: ChatBroker | null = null;
  readonly #members = new Map<number, Member>();
  /** Room key -> this server's members in it: whom a room line from the broker goes to. */
  readonly #rooms = new Map<string, Set<Member>>();
  /** Leaves still running (a member dropped from inside `send`), waited for at close. */
  readonly #leaving = new Set<Task<void>>();
  #closed = false;

  /** What the broker calls with lines for this server's members. */
  readonly listener: BrokerListener = {
    roomLine: (key, line, except) => {
      const members = this.#rooms.get(key);
      if (members !== undefined) for (const member of members) if (member.id !== except) member.send(line);
    },
    privateLine: (memberId, line) => this.#members.get(memberId)?.send(line),
    missed: () => {
      for (const member of this.#members.values()) member.send(MAYBE_MISSED);
    },
  };

  /** Use `broker` (started with this hub's `listener`). */
  attach(broker: ChatBroker): void {
    this.#broker = broker;
  }

  /** Admit a client: guest nickname, welcome, #lobby. Redis away: one `! ` line and the client is closed. */
  *join(member: Member): Coro<void> {
    if (this.#closed) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
      return;
    }
    this.#members.set(member.id, member);
    try {
      yield* this.#need().admit(member.id, (nick) => {
        member.nick = nick;
        member.send(welcome(nick));
        this.#enterLocally(member, LOBBY);
      });
    } catch (caught) {
      if (!(caught instanceof BrokerUnavailableError)) throw caught;
      member.send(chatUnavailable(caught.message));
      this.#leaveLocally(member);
      member.close(caught.message);
    }
  }

  /**
   * Handle one line of `member`; returns the task doing it (the server waits
   * for it before reading the member's next line), or undefined for a line
   * with nothing to do.
   */
  handleLine(member: Member, text: string): Task<void> | undefined {
    if (!this.#members.has(member.id)) return undefined;
    const command = parseCommand(stripControls(text));
    if (command === undefined) return undefined;
    return createTask(this.#handle(member, command));
  }

  /** Remove a member that disconnected (once; later calls do nothing). Runs in the background. */
  leave(member: Member, reason?: string): void {
    if (!this.#leaveLocally(member)) return;
    const task = createTask(this.#leaveBroker(member, reason));
    this.#leaving.add(task);
    task.addDoneCallback(() => this.#leaving.delete(task));
  }

  /** `* server shutting down` to every member here, and close them. */
  shutdown(): void {
    this.#closed = true;
    const members = Array.from(this.#members.values());
    this.#members.clear();
    this.#rooms.clear();
    for (const member of members) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
    }
  }

  /** After shutdown: let running leaves finish, then release this server's nicknames and lease. */
  *close(): Coro<void> {
    for (const task of [...this.#leaving]) {
      try {
        yield* task;
      } catch {
        // Reported as the member left; nothing more to do for it.
      }
    }
    yield* this.#need().close();
  }

  *#handle(member: Member, command: NonNullable<ReturnType<typeof parseCommand>>): Coro<void> {
    const broker = this.#need();
    try {
      switch (command.kind) {
        case "message":
          yield* broker.say(member.id, message(member.nick, command.text), true);
          return;
        case "me":
          yield* broker.say(member.id, action(member.nick, command.text), false);
          return;
        case "msg": {
          const to = yield* broker.whisper(member.id, command.nick, privateMessage(member.nick, command.text));
          member.send(to === null ? noSuchNick(command.nick) : privateSent(to, command.text));
          return;
        }
        case "nick": {
          const result = normalizeNick(command.name);
          if (!result.ok) member.send(error(result.reason));
          else if (result.nick === member.nick) member.send(sameNick(result.nick));
          else if (yield* broker.rename(member.id, result.nick)) member.nick = result.nick;
          else member.send(nickTaken(result.nick));
          return;
        }
        case "join":
          yield* this.#move(member, command.room);
          return;
        case "who": {
          const nicks = yield* broker.who(member.room);
          sendPage(member, command.page, nicks, (page) => whoLines(member.room, page));
          return;
        }
        case "rooms":
          sendPage(member, command.page, yield* broker.rooms(), roomsLines);
          return;
        case "ping":
          member.send(PONG);
          return;
        case "help":
          for (const line of HELP) member.send(line);
          return;
        case "quit": {
          const reason = quitReason(command.reason);
          member.send(GOODBYE);
          if (this.#leaveLocally(member)) yield* this.#leaveBroker(member, reason);
          member.close(reason);
          return;
        }
        case "error":
          member.send(command.line);
          return;
        case "pong":
          return; // A sign of life, which the server has counted already.
        default:
          // Operators, bans, keys, topics and history are one server's so far.
          member.send(NOT_SHARED);
          return;
      }
    } catch (caught) {
      if (!this.#members.has(member.id)) return; // It left meanwhile: nobody to answer.
      if (!(caught instanceof BrokerUnavailableError)) throw caught;
      member.send(chatUnavailable(caught.message));
    }
  }

  *#move(member: Member, roomName: string): Coro<void> {
    const from = member.room;
    if (roomKey(roomName) === roomKey(from)) {
      member.send(sameRoom(from));
      return;
    }
    // Why switch here first: the member must not get its old room's
    // "left" notice, and must get its new room's "joined" one, whichever
    // of the two shards the reader delivers first.
    this.#exitLocally(member);
    this.#enterLocally(member, roomName);
    try {
      yield* this.#need().move(member.id, roomName);
    } catch (caught) {
      this.#exitLocally(member);
      this.#enterLocally(member, from);
      throw caught;
    }
  }

  *#leaveBroker(member: Member, reason: string | undefined): Coro<void> {
    try {
      yield* this.#need().leave(member.id, reason);
    } catch (caught) {
      // Redis away: the broker retries the removal once it is back.
      if (!(caught instanceof BrokerUnavailableError)) throw caught;
    }
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
    this.#exitLocally(member);
    return true;
  }

  #need(): ChatBroker {
    if (this.#broker === null) throw new Error("ClusterHub used before attach(broker)");
    return this.#broker;
  }
}

/** Page `page` of `all` (1-based) through `lines`, or the no-such-page error. */
function sendPage<T>(member: Member, page: number, all: readonly T[], lines: (page: Page<T>) => string[]): void {
  const pages = pageCount(all.length);
  if (page > pages) {
    member.send(noSuchPage(page, pages));
    return;
  }
  const items = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  for (const line of lines({ items, page, total: all.length })) member.send(line);
}
