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
import { announcesSender, immediateReply, parseCommand, type Command } from "./commands.ts";
import { LineCost } from "./line-cost.ts";
import { checkRename, nickChangeLimit, nickKey } from "./nick.ts";
import { pageOf, pageReply } from "./paging.ts";
import { parseAddress } from "./address.ts";
import { Expiring } from "./expiring.ts";
import { DEFAULT_HISTORY_LINES, RoomHistory } from "./history.ts";
import { OperatorAuth, secretsEqual } from "./operators.ts";
import {
  action,
  BAN_REASON,
  BANNED,
  bannedReply,
  bansLines,
  CANNOT_BAN_SELF,
  crowdNotice,
  keySet,
  kicked,
  kickedYou,
  kickReason,
  LOBBY_HAS_NO_KEY,
  mutedReply,
  mutedYou,
  needsKey,
  noBan,
  noSuchTarget,
  NOT_OPERATOR,
  notMuted,
  notOwner,
  OPER_DISABLED,
  OPER_GRANTED,
  OPER_SLOW_DOWN,
  OPER_WRONG,
  topicLine,
  topicSet,
  unbanned,
  UNMUTED_YOU,
  unmutedReply,
  wall,
  wrongKey,
  youAreMuted,
  error,
  GOODBYE,
  joined,
  leftChat,
  leftRoom,
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
} from "./replies.ts";
import { DEFAULT_QUIET_ROOM_SIZE, LOBBY, roomKey } from "./room.ts";
import { localRoomBus, type RoomBus, type RoomBusFactory } from "./room-bus.ts";
import { sanitizeText } from "./sanitize.ts";
import type { TokenBucket } from "./token-bucket.ts";

export { NOTICE_DELIVERIES_PER_TOKEN, REPLY_BYTES_PER_TOKEN } from "./line-cost.ts";
export { NICK_BURST, NICK_RATE_PER_SEC } from "./nick.ts";
export { DEFAULT_QUIET_ROOM_SIZE } from "./room.ts";
export {
  floodNotice,
  lineTooLong,
  NO_LINE_REASON,
  PING_TIMEOUT_REASON,
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
   * The connection's address group (see `addressGroup` in address.ts), which
   * `/ban` and `/oper`'s attempt limit go by; absent: a group of its own.
   */
  readonly address?: string;
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
  /** See {@link DEFAULT_QUIET_ROOM_SIZE}. */
  quietRoomSize?: number;
  /** Monotonic clock in milliseconds for limits, bans and mutes; default `performance.now`. */
  now?: () => number;
  /** Wall clock in milliseconds, for the time stamps of history; default `Date.now`. */
  wallClock?: () => number;
  /** Lines of history replayed on join; default {@link DEFAULT_HISTORY_LINES}, 0 none. */
  historyLines?: number;
  /** The `/oper` password; absent or empty: no operators. */
  operPassword?: string;
}

interface Room {
  readonly name: string;
  readonly key: string;
  readonly members: Set<Member>;
  /** Who made it (never for `#lobby`); gone once it leaves the room. */
  owner: Member | null;
  topic: string;
  /** What `/join #room KEY` must give; empty for none. */
  joinKey: string;
  readonly history: RoomHistory;
  /** What a quiet room has not been told yet (see {@link ChatHub.flushCrowdNotices}). */
  readonly tally: { joined: number; left: number; renamed: number };
}

/** The hub's record of one joined member. */
interface Seat {
  room: Room;
  /** Whether the room was told of this member's arrival. */
  announced: boolean;
  readonly nickBucket: TokenBucket;
  /** Whether it gave the operator password. */
  oper: boolean;
}

/** A member's address group, or one of its own. */
function groupOf(member: Member): string {
  return member.address ?? `member ${member.id}`;
}

/**
 * Members, rooms and nicknames of one chat server.
 *
 * Every reply to an input is sent synchronously during the call that received
 * it, in order. A hub operation requested while another is running (from
 * inside `send` or `close`) is queued and runs right after it, before the
 * outer call returns.
 *
 * A newcomer is a member at once (it receives its room's lines), but its
 * room is told of its arrival only at its first line or when the server
 * calls {@link announce}; a probe (`/ping`) or a connection that leaves
 * first is never announced.
 *
 * @example
 * const hub = new ChatHub();
 * hub.join(member);                // "* welcome, you are guest1 - ..."
 * hub.handleLine(member, "hello"); // "* guest1 joined #lobby", then "<guest1> hello" to the rest of #lobby
 * hub.leave(member);               // "* guest1 left" to the rest of #lobby
 */
export class ChatHub {
  readonly #nicks = new Map<string, Member>();
  readonly #rooms = new Map<string, Room>();
  readonly #seats = new Map<Member, Seat>();
  readonly #pending: (() => void)[] = [];
  readonly #bus: RoomBus;
  readonly #quietRoomSize: number;
  readonly #now: () => number;
  readonly #wallClock: () => number;
  readonly #historyLines: number;
  readonly #operators: OperatorAuth;
  /** Address groups refused at connect (`/ban`); the server asks {@link isBanned}. */
  readonly #bans: Expiring<string>;
  readonly #mutes: Expiring<Member>;
  #busy = false;
  #closed = false;
  #guests = 0;
  /** What the line being handled costs (replies to its sender, notices to its room). */
  #cost = new LineCost();

  constructor(options: ChatHubOptions = {}) {
    this.#quietRoomSize = options.quietRoomSize ?? DEFAULT_QUIET_ROOM_SIZE;
    this.#now = options.now ?? (() => performance.now());
    this.#wallClock = options.wallClock ?? Date.now;
    this.#historyLines = options.historyLines ?? DEFAULT_HISTORY_LINES;
    this.#operators = new OperatorAuth(options.operPassword, this.#now);
    this.#bans = new Expiring(this.#now);
    this.#mutes = new Expiring(this.#now);
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
   * sends the welcome and puts it in `#lobby`; it alone gets
   * `* guest1 joined #lobby` now, the room when it is announced. After
   * {@link shutdown} the client is told the server is shutting down and
   * closed instead.
   *
   * @throws Error if the member has already joined.
   */
  join(member: Member): void {
    this.#run(() => this.#join(member));
  }

  /** Rooms that exist now (each has members). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /**
   * Whether connections from address group `group` are banned; the server
   * turns them away with {@link BANNED} before they join.
   */
  isBanned(group: string): boolean {
    return this.#bans.has(group);
  }

  /**
   * Tells a newcomer's room of its arrival, if it was not told yet: the
   * server calls it a short admission delay after {@link join}.
   */
  announce(member: Member): void {
    this.#run(() => {
      const seat = this.#seats.get(member);
      if (seat && !seat.announced) this.#announce(member, seat);
    });
  }

  /**
   * Handles one line received from `member`, already decoded (see
   * `decodeLine`); the hub sanitizes it itself (`sanitizeText`: controls,
   * invisible characters, runs of whitespace). Lines of members that have
   * left are ignored, as are blank lines.
   *
   * @returns what handling it cost, in flood tokens: 1, plus one per
   *   {@link REPLY_BYTES_PER_TOKEN} of replies to the sender and per
   *   {@link NOTICE_DELIVERIES_PER_TOKEN} notices to its room.
   */
  handleLine(member: Member, text: string): number {
    const cost = (this.#cost = new LineCost());
    this.#run(() => this.#handle(member, text));
    return cost.tokens;
  }

  /**
   * Removes a member that disconnected or is being disconnected: its nickname
   * is free at once and its room gets `* nick left`, or `* nick left (reason)`
   * (if it was announced). Calling it again, or for a member that quit, does
   * nothing.
   */
  leave(member: Member, reason?: string): void {
    this.#run(() => this.#leave(member, reason));
  }

  /**
   * Tells each quiet room what it was not told one by one since the last
   * call, in one line: `* 37 joined, 12 left #lobby (5012 members)`. The
   * server calls it once per interval.
   */
  flushCrowdNotices(): void {
    this.#run(() => {
      for (const room of this.#rooms.values()) {
        const { tally } = room;
        if (tally.joined + tally.left + tally.renamed === 0) continue;
        this.#broadcast(room, crowdNotice(room.name, tally, room.members.size));
        tally.joined = tally.left = tally.renamed = 0;
      }
    });
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
      if (this.#pending.length > 0) this.#pending.length = 0; // Why the test: setting a length is a runtime call.
    }
  }

  #join(member: Member): void {
    if (this.#closed) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
      return;
    }
    if (this.#seats.has(member)) throw new Error(`member ${member.id} has already joined`);
    const nick = this.#guestNick();
    member.nick = nick;
    this.#nicks.set(nickKey(nick), member);
    member.send(welcome(nick));
    const seat: Seat = {
      room: this.#enter(member, LOBBY),
      announced: false,
      nickBucket: nickChangeLimit(this.#now),
      oper: false,
    };
    this.#seats.set(member, seat);
    member.send(joined(nick, LOBBY));
    this.#greet(member, seat.room);
  }

  /** What a member gets on entering a room, after its join notice: the topic, then the history. */
  #greet(member: Member, room: Room): void {
    if (room.topic) this.#reply(member, topicLine(room.name, room.topic));
    this.#cost.replyAll(member, room.history.replay());
  }

  #handle(member: Member, text: string): void {
    const seat = this.#seats.get(member);
    if (!seat) return; // Why: a line can race its sender's leave.
    const command = parseCommand(sanitizeText(text));
    if (!command) return;
    const { room } = seat;
    if (!seat.announced && announcesSender(command)) this.#announce(member, seat);
    const immediate = immediateReply(command);
    if (immediate !== null) {
      this.#cost.replyAll(member, immediate);
      return;
    }
    switch (command.kind) {
      case "message":
      case "me":
      case "msg":
        if (this.#mutes.has(member)) {
          this.#reply(member, youAreMuted(this.#mutes.remainingMs(member)));
          return;
        }
        if (command.kind === "msg") {
          this.#whisper(member, command.nick, command.text);
          return;
        }
        this.#say(room, command.kind === "me" ? action(member.nick, command.text) : message(member.nick, command.text), command.kind === "me" ? undefined : member);
        return;
      case "nick":
        this.#rename(member, seat, command.name);
        return;
      case "join":
        this.#move(member, seat, command.room, command.key);
        return;
      case "who": {
        const { page } = command;
        const total = room.members.size;
        const lines = pageReply(page, total, () => whoLines(room.name, { items: pageOf(room.members, page, (m) => m.nick), page, total }));
        this.#cost.replyAll(member, lines);
        return;
      }
      case "rooms": {
        const { page } = command;
        const total = this.#rooms.size;
        const lines = pageReply(page, total, () => roomsLines({ items: pageOf(this.#rooms.values(), page, roomSummary), page, total }));
        this.#cost.replyAll(member, lines);
        return;
      }
      case "quit": {
        const reason = quitReason(command.reason);
        this.#reply(member, GOODBYE);
        this.#leave(member, reason);
        member.close(reason);
        return;
      }
      case "oper":
        this.#reply(member, this.#oper(member, seat, command.password));
        return;
      case "topic":
        this.#topic(member, seat, command.text);
        return;
      case "key":
        this.#key(member, seat, command.key);
        return;
      default:
        if (!seat.oper) this.#reply(member, NOT_OPERATOR);
        else this.#operate(member, command);
    }
  }

  #oper(member: Member, seat: Seat, password: string): string {
    switch (this.#operators.attempt(groupOf(member), password)) {
      case "ok":
        seat.oper = true;
        return OPER_GRANTED;
      case "wrong":
        return OPER_WRONG;
      case "slow down":
        return OPER_SLOW_DOWN;
      case "disabled":
        return OPER_DISABLED;
    }
  }

  /** The commands only operators may use. */
  #operate(member: Member, command: Command): void {
    switch (command.kind) {
      case "kick":
        this.#kick(member, command.nick, command.reason);
        return;
      case "ban":
        this.#ban(member, command.target, command.minutes);
        return;
      case "bans":
        this.#cost.replyAll(member, bansLines(this.#bans.entries()));
        return;
      case "unban": {
        const group = parseAddress(command.target) ?? command.target;
        this.#reply(member, this.#bans.delete(group) ? unbanned(group) : noBan(command.target));
        return;
      }
      case "mute":
      case "unmute":
        this.#mute(member, command.kind === "mute", command.nick, command.kind === "mute" ? command.minutes : undefined);
        return;
      case "wall": {
        const line = wall(member.nick, command.text);
        for (const room of this.#rooms.values()) this.#notify(room, line);
        return;
      }
    }
  }

  /** `/kick`: out of its room to the lobby, or off the server from the lobby. */
  #kick(member: Member, nick: string, reason: string): void {
    const target = this.#nicks.get(nickKey(nick));
    const seat = target && this.#seats.get(target);
    if (!target || !seat) {
      this.#reply(member, noSuchNick(nick));
      return;
    }
    const from = seat.room;
    if (from.key === roomKey(LOBBY)) {
      const why = kickReason(member.nick, reason);
      target.send(error(`you were ${why}`));
      this.#leave(target, why);
      target.close(why);
      if (target !== member) this.#reply(member, leftChat(target.nick, why));
      return;
    }
    const line = kicked(target.nick, from.name, member.nick, reason);
    // Why: the room is not told one by one when quiet, nor of a member never announced.
    const told = seat.announced && !this.#isQuiet(from) && from.members.has(member);
    this.#tellLeaving(target, seat, line);
    if (!told) this.#reply(member, line);
    target.send(kickedYou(from.name, member.nick, reason));
    this.#relocate(target, seat, LOBBY);
  }

  /** `/ban nick|address [minutes]`: the address group is refused from now on; its members are closed. */
  #ban(member: Member, target: string, minutes: number | undefined): void {
    const holder = this.#nicks.get(nickKey(target));
    const group = holder ? groupOf(holder) : parseAddress(target);
    if (group === undefined) {
      this.#reply(member, noSuchTarget(target));
      return;
    }
    if (group === groupOf(member)) {
      this.#reply(member, CANNOT_BAN_SELF);
      return;
    }
    this.#bans.add(group, minutes === undefined ? undefined : minutes * 60_000);
    let closed = 0;
    for (const banned of Array.from(this.#seats.keys())) {
      if (groupOf(banned) !== group) continue;
      closed++;
      banned.send(BANNED);
      this.#leave(banned, BAN_REASON);
      banned.close(BAN_REASON);
    }
    this.#reply(member, bannedReply(group, minutes, closed));
  }

  #mute(member: Member, mute: boolean, nick: string, minutes: number | undefined): void {
    const target = this.#nicks.get(nickKey(nick));
    if (!target) {
      this.#reply(member, noSuchNick(nick));
      return;
    }
    if (mute) {
      this.#mutes.add(target, minutes === undefined ? undefined : minutes * 60_000);
      target.send(mutedYou(member.nick, minutes));
      this.#reply(member, mutedReply(target.nick, minutes));
    } else if (this.#mutes.delete(target)) {
      target.send(UNMUTED_YOU);
      this.#reply(member, unmutedReply(target.nick));
    } else {
      this.#reply(member, notMuted(target.nick));
    }
  }

  /** Whether `member` may change `room`'s topic and key: its owner, or an operator. */
  #manages(member: Member, seat: Seat, room: Room): boolean {
    if (seat.oper || room.owner === member) return true;
    this.#reply(member, notOwner(room.name));
    return false;
  }

  #topic(member: Member, seat: Seat, text: string): void {
    const { room } = seat;
    if (!text) {
      this.#reply(member, topicLine(room.name, room.topic));
      return;
    }
    if (!this.#manages(member, seat, room)) return;
    room.topic = text === "-" ? "" : text;
    this.#notify(room, topicSet(member.nick, room.name, room.topic));
  }

  #key(member: Member, seat: Seat, key: string): void {
    const { room } = seat;
    if (!this.#manages(member, seat, room)) return;
    if (room.key === roomKey(LOBBY)) {
      this.#reply(member, LOBBY_HAS_NO_KEY);
      return;
    }
    room.joinKey = key;
    this.#notify(room, keySet(member.nick, room.name, key !== ""));
  }

  /** A message or an action to a room: delivered, and kept in its history. */
  #say(room: Room, line: string, except?: Member): void {
    room.history.add(line, this.#wallClock());
    this.#broadcast(room, line, except);
  }

  #whisper(member: Member, to: string, text: string): void {
    const target = this.#nicks.get(nickKey(to));
    if (!target) {
      this.#reply(member, noSuchNick(to));
      return;
    }
    target.send(privateMessage(member.nick, text));
    this.#reply(member, privateSent(target.nick, text));
  }

  #rename(member: Member, seat: Seat, requested: string): void {
    const check = checkRename(requested, member.nick);
    if (!check.ok) {
      this.#reply(member, check.reply);
      return;
    }
    const { nick } = check;
    const key = nickKey(nick);
    const holder = this.#nicks.get(key);
    // Why: holder === member is a change of case only, which is allowed.
    if (holder && holder !== member) {
      this.#reply(member, nickTaken(nick));
      return;
    }
    if (!seat.nickBucket.take()) {
      this.#reply(member, nickFlood());
      return;
    }
    const old = member.nick;
    this.#nicks.delete(nickKey(old));
    this.#nicks.set(key, member);
    member.nick = nick;
    const line = renamed(old, nick);
    if (!seat.announced) {
      this.#reply(member, line);
      this.#announce(member, seat); // Under the new name only.
    } else if (this.#isQuiet(seat.room)) {
      this.#reply(member, line);
      seat.room.tally.renamed++;
    } else {
      this.#notify(seat.room, line);
    }
  }

  #move(member: Member, seat: Seat, name: string, key: string): void {
    const from = seat.room;
    if (roomKey(name) === from.key) {
      this.#reply(member, sameRoom(from.name));
      return;
    }
    const to = this.#rooms.get(roomKey(name));
    // Why operators pass: they are trusted with every room, and a key is no secret from them.
    if (to && to.joinKey && !seat.oper && !secretsEqual(key, to.joinKey)) {
      this.#reply(member, key ? wrongKey(to.name) : needsKey(to.name));
      return;
    }
    this.#tellLeaving(member, seat, leftRoom(member.nick, from.name));
    this.#relocate(member, seat, name);
  }

  /** Takes a member (already told to its old room) into room `name`, announced at once. */
  #relocate(member: Member, seat: Seat, name: string): void {
    this.#exit(member, seat.room);
    seat.room = this.#enter(member, name);
    seat.announced = false;
    this.#reply(member, joined(member.nick, seat.room.name));
    this.#greet(member, seat.room);
    this.#announce(member, seat); // Moving is a deliberate act: no admission delay.
  }

  #leave(member: Member, reason: string | undefined): void {
    const seat = this.#seats.get(member);
    if (!seat) return;
    this.#tellLeaving(member, seat, leftChat(member.nick, reason));
    this.#seats.delete(member);
    this.#exit(member, seat.room);
    this.#nicks.delete(nickKey(member.nick));
    this.#mutes.delete(member);
  }

  #shutdown(): void {
    this.#closed = true;
    const members = Array.from(this.#seats.keys());
    this.#seats.clear();
    this.#rooms.clear();
    this.#nicks.clear();
    for (const member of members) {
      member.send(SHUTTING_DOWN);
      member.close(SHUTTING_DOWN);
    }
  }

  /** Tells a room a member arrived: one notice, or one more in a quiet room's tally. */
  #announce(member: Member, seat: Seat): void {
    seat.announced = true;
    if (this.#isQuiet(seat.room)) seat.room.tally.joined++;
    else this.#notify(seat.room, joined(member.nick, seat.room.name), member); // It has its own copy.
  }

  /** Tells a member's room (before it goes) that it is leaving, if it was announced. */
  #tellLeaving(member: Member, seat: Seat, line: string): void {
    if (!seat.announced) return;
    if (this.#isQuiet(seat.room)) seat.room.tally.left++;
    else this.#notify(seat.room, line, member);
  }

  #isQuiet(room: Room): boolean {
    return room.members.size > this.#quietRoomSize;
  }

  /** Puts a member into the room called `name`, made if needed. */
  #enter(member: Member, name: string): Room {
    const key = roomKey(name);
    let room = this.#rooms.get(key);
    if (!room) {
      room = {
        name,
        key,
        members: new Set(),
        tally: { joined: 0, left: 0, renamed: 0 },
        owner: key === roomKey(LOBBY) ? null : member, // The first one in owns it.
        topic: "",
        joinKey: "",
        history: new RoomHistory(this.#historyLines),
      };
      this.#rooms.set(key, room);
    }
    room.members.add(member);
    member.room = room.name;
    return room;
  }

  /** Takes a member out of its room, dropping the room once empty. */
  #exit(member: Member, room: Room): void {
    room.members.delete(member);
    if (room.owner === member) room.owner = null;
    if (room.members.size === 0) this.#rooms.delete(room.key);
  }

  /** A notice to a room, charged to the line being handled. */
  #notify(room: Room, line: string, except?: Member): void {
    this.#cost.notice(room.members.size);
    this.#broadcast(room, line, except);
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

  /** A line to the sender of the line being handled, charged to it. */
  #reply(member: Member, line: string): void {
    this.#cost.reply(member, line);
  }

  #guestNick(): string {
    let nick: string;
    do nick = `guest${++this.#guests}`;
    while (this.#nicks.has(nickKey(nick)));
    return nick;
  }
}

function roomSummary(room: Room): { name: string; size: number; keyed: boolean } {
  return { name: room.name, size: room.members.size, keyed: room.joinKey !== "" };
}
