/**
 * The chat itself: members, rooms and the nickname registry, with no I/O.
 *
 * The server owns the sockets; the hub only decides who receives which line
 * and hands each line to {@link Member.send}. Invariants: every joined member
 * is in exactly one room and holds the registry entry under its
 * {@link nickKey}; a room exists while it has members; operations never
 * interleave (see {@link ChatHub}), so all members of a room see its lines in
 * the same order.
 */
import { parseCommand } from "./commands.ts";
import { nickKey, normalizeNick } from "./nick.ts";
import {
  action,
  error,
  GOODBYE,
  HELP,
  joined,
  leftChat,
  leftRoom,
  message,
  nickTaken,
  noSuchNick,
  privateMessage,
  privateSent,
  quitReason,
  renamed,
  roomsLines,
  sameNick,
  sameRoom,
  SHUTTING_DOWN,
  welcome,
  whoLines,
} from "./replies.ts";
import { LOBBY, roomKey } from "./room.ts";
import { localRoomBus, type RoomBus, type RoomBusFactory } from "./room-bus.ts";
import { stripControls } from "./sanitize.ts";

export {
  floodNotice,
  lineTooLong,
  serverFull,
  SLOW_READER_REASON,
  slowReaderLeft,
} from "./replies.ts";

/**
 * One connected client as the hub sees it; implemented by the server.
 *
 * `nick` and `room` are written by the hub (read them for logs).
 */
export interface Member {
  /** Unique per connection, for the server's bookkeeping and logs. */
  readonly id: number;
  /** Current nickname; set by the hub. */
  nick: string;
  /** Current room name, e.g. `#lobby`; set by the hub. */
  room: string;
  /**
   * Queues one protocol line for this client; the server appends `"\n"`.
   * May call back into the hub (say, `leave` for a slow reader): that call
   * runs once the current operation is done.
   */
  send(line: string): void;
  /** Asks the server to flush what is queued for this client, then close it. */
  close(reason?: string): void;
}

/** Options of {@link ChatHub}; every field has a default. */
export interface ChatHubOptions {
  /** How room-wide lines reach the members; default {@link localRoomBus}. */
  bus?: RoomBusFactory;
}

interface Room {
  readonly name: string;
  readonly key: string;
  readonly members: Set<Member>;
}

/**
 * Members, rooms and nicknames of one chat server.
 *
 * Every reply to an input is sent synchronously during the call that received
 * it, in order. A hub operation requested while another is running (from
 * inside `send` or `close`) is queued and runs right after it, before the
 * outer call returns.
 *
 * @example
 * const hub = new ChatHub();
 * hub.join(member);                // "* welcome, you are guest1 - ..."
 * hub.handleLine(member, "hello"); // "<guest1> hello" to the rest of #lobby
 * hub.leave(member);               // "* guest1 left" to the rest of #lobby
 */
export class ChatHub {
  readonly #nicks = new Map<string, Member>();
  readonly #rooms = new Map<string, Room>();
  readonly #roomOf = new Map<Member, Room>();
  readonly #pending: (() => void)[] = [];
  #busy = false;
  #closed = false;
  #guests = 0;
  readonly #bus: RoomBus;

  constructor(options: ChatHubOptions = {}) {
    // Why inline when busy: a local bus delivers while the operation that
    // published runs, so its replies keep their order; a delivery arriving
    // from outside (a broker) runs as an operation of its own.
    this.#bus = (options.bus ?? localRoomBus)((roomKey, line, exceptId) => {
      if (this.#busy) this.#deliver(roomKey, line, exceptId);
      else this.#run(() => this.#deliver(roomKey, line, exceptId));
    });
  }

  /**
   * Admits a new client: gives it a unique guest nickname (`guest1`, ...),
   * sends the welcome, and joins it to `#lobby`, whose members (the newcomer
   * included) get `* guest1 joined #lobby`. After {@link shutdown} the client
   * is told the server is shutting down and closed instead.
   *
   * @throws Error if the member has already joined.
   */
  join(member: Member): void {
    this.#run(() => this.#join(member));
  }

  /**
   * Handles one line received from `member`, already decoded (see
   * `decodeLine`); the hub strips controls itself. Lines of members that have
   * left are ignored, as are blank lines.
   */
  handleLine(member: Member, text: string): void {
    this.#run(() => this.#handle(member, text));
  }

  /**
   * Removes a member that disconnected or is being disconnected: its nickname
   * is free at once and its room gets `* nick left`, or `* nick left (reason)`.
   * Calling it again, or for a member that quit, does nothing.
   */
  leave(member: Member, reason?: string): void {
    this.#run(() => this.#leave(member, reason));
  }

  /**
   * Sends `* server shutting down` to every member, then calls their
   * `close()`, and forgets them all: later `leave` calls do nothing, and later
   * `join` calls turn the newcomer away.
   */
  shutdown(): void {
    this.#run(() => this.#shutdown());
  }

  #run(op: () => void): void {
    if (this.#busy) {
      this.#pending.push(op);
      return;
    }
    this.#busy = true;
    try {
      op();
      // Why: operations requested from inside send()/close() run here, after
      // the current one, so no fan-out is interleaved with another.
      for (let i = 0; i < this.#pending.length; i++) this.#pending[i]();
    } finally {
      this.#busy = false;
      this.#pending.length = 0;
    }
  }

  #join(member: Member): void {
    if (this.#closed) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
      return;
    }
    if (this.#roomOf.has(member)) throw new Error(`member ${member.id} has already joined`);
    const nick = this.#guestNick();
    member.nick = nick;
    this.#nicks.set(nickKey(nick), member);
    member.send(welcome(nick));
    this.#enter(member, LOBBY);
  }

  #handle(member: Member, text: string): void {
    const room = this.#roomOf.get(member);
    if (!room) return; // Why: a line can race its sender's leave.
    const command = parseCommand(stripControls(text));
    if (!command) return;
    switch (command.kind) {
      case "message":
        this.#broadcast(room, message(member.nick, command.text), member);
        return;
      case "me":
        this.#broadcast(room, action(member.nick, command.text));
        return;
      case "msg":
        this.#whisper(member, command.nick, command.text);
        return;
      case "nick":
        this.#rename(member, room, command.name);
        return;
      case "join":
        this.#move(member, room, command.room);
        return;
      case "who":
        sendAll(member, whoLines(room.name, Array.from(room.members, (m) => m.nick)));
        return;
      case "rooms":
        sendAll(member, roomsLines(Array.from(this.#rooms.values(), roomSummary)));
        return;
      case "help":
        sendAll(member, HELP);
        return;
      case "quit": {
        const reason = quitReason(command.reason);
        member.send(GOODBYE);
        this.#leave(member, reason);
        member.close(reason);
        return;
      }
      case "error":
        member.send(command.line);
        return;
    }
  }

  #whisper(member: Member, to: string, text: string): void {
    const target = this.#nicks.get(nickKey(to));
    if (!target) {
      member.send(noSuchNick(to));
      return;
    }
    target.send(privateMessage(member.nick, text));
    member.send(privateSent(target.nick, text));
  }

  #rename(member: Member, room: Room, requested: string): void {
    const result = normalizeNick(requested);
    if (!result.ok) {
      member.send(error(result.reason));
      return;
    }
    const { nick } = result;
    if (nick === member.nick) {
      member.send(sameNick(nick));
      return;
    }
    const key = nickKey(nick);
    const holder = this.#nicks.get(key);
    // Why: holder === member is a change of case only, which is allowed.
    if (holder && holder !== member) {
      member.send(nickTaken(nick));
      return;
    }
    const old = member.nick;
    this.#nicks.delete(nickKey(old));
    this.#nicks.set(key, member);
    member.nick = nick;
    this.#broadcast(room, renamed(old, nick));
  }

  #move(member: Member, from: Room, name: string): void {
    if (roomKey(name) === from.key) {
      member.send(sameRoom(from.name));
      return;
    }
    this.#exit(member, from);
    this.#broadcast(from, leftRoom(member.nick, from.name));
    this.#enter(member, name);
  }

  #leave(member: Member, reason: string | undefined): void {
    const room = this.#roomOf.get(member);
    if (!room) return;
    this.#exit(member, room);
    this.#nicks.delete(nickKey(member.nick));
    this.#broadcast(room, leftChat(member.nick, reason));
  }

  #shutdown(): void {
    this.#closed = true;
    const members = Array.from(this.#roomOf.keys());
    this.#roomOf.clear();
    this.#rooms.clear();
    this.#nicks.clear();
    for (const member of members) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
    }
  }

  /** Puts a member into the room called `name` (made if needed) and tells the room. */
  #enter(member: Member, name: string): void {
    const key = roomKey(name);
    let room = this.#rooms.get(key);
    if (!room) {
      room = { name, key, members: new Set() };
      this.#rooms.set(key, room);
    }
    room.members.add(member);
    this.#roomOf.set(member, room);
    member.room = room.name;
    this.#broadcast(room, joined(member.nick, room.name));
  }

  /** Takes a member out of its room, dropping the room once empty. */
  #exit(member: Member, room: Room): void {
    room.members.delete(member);
    this.#roomOf.delete(member);
    if (room.members.size === 0) this.#rooms.delete(room.key);
  }

  /** Every room-wide line goes through the bus (room-bus.ts). */
  #broadcast(room: Room, line: string, except?: Member): void {
    this.#bus.publish(room.key, line, except?.id);
  }

  /** One formatted line, one `send` per local recipient: the hot path. */
  #deliver(key: string, line: string, exceptId: number | undefined): void {
    const room = this.#rooms.get(key);
    if (!room) return;
    for (const member of room.members) if (member.id !== exceptId) member.send(line);
  }

  #guestNick(): string {
    let nick: string;
    do nick = `guest${++this.#guests}`;
    while (this.#nicks.has(nickKey(nick)));
    return nick;
  }
}

function sendAll(member: Member, lines: readonly string[]): void {
  for (const line of lines) member.send(line);
}

function roomSummary(room: Room): { name: string; size: number } {
  return { name: room.name, size: room.members.size };
}
