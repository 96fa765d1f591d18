/**
 * An in-memory stand-in for the Redis broker, for unit tests of the
 * servers' ordering logic without Redis: several MemoryBrokers on one
 * MemorySharedChat are several servers of one chat, in one process, on one
 * loop (the virtual clock makes their delays exact and instant).
 *
 * It keeps the Redis broker's contract (broker/types.ts): steps are atomic;
 * every appended line goes into one shared log, which each server delivers
 * in log order after its own delay (so servers lag differently but never
 * disagree); a step returns once its server has delivered what it appended.
 */
import { Event, getRunningLoop, type Coro, type EventLoop } from "../../../loop/index.ts";
import { DEFAULT_HISTORY_LINES, historyLine } from "../history.ts";
import { nickKey } from "../nick.ts";
import { pageRange } from "../paging.ts";
import { crowdNotice, joined, leftChat, leftRoom, renamed } from "../replies.ts";
import { DEFAULT_QUIET_ROOM_SIZE, LOBBY, roomKey } from "../room.ts";
import {
  BrokerUnavailableError,
  type Admission,
  type BrokerListener,
  type ChatBroker,
  type HistoryOptions,
  type ListPage,
  type TallyField,
} from "./types.ts";

type NewEntry =
  | { kind: "room"; room: string; line: string; except: { broker: MemoryBroker; member: number } | null }
  | { kind: "private"; broker: MemoryBroker; member: number; line: string };
/** An entry of the shared log, numbered in log order. */
type Entry = NewEntry & { serial: number };

interface LocalMember {
  nick: string;
  room: string;
  announced: boolean;
}

interface Holder {
  broker: MemoryBroker;
  member: number;
  nick: string;
}

/** The state every MemoryBroker shares: what Redis holds for the Redis broker. */
export class MemorySharedChat {
  readonly nicks = new Map<string, Holder>();
  /** Room key -> spelling, nicks in join order and last lines (`~ HH:MM line`); Map order is creation order. */
  readonly rooms = new Map<string, { name: string; nicks: string[]; history: string[] }>();
  readonly brokers = new Set<MemoryBroker>();
  /** Room key -> what the quiet room was not told one by one. */
  readonly tallies = new Map<string, Record<TallyField, number>>();
  guests = 0;
  serial = 0;
  /** False: every step fails with BrokerUnavailableError, as with Redis away. */
  available = true;

  /** @internal Append entries (built by a step) to the log; every broker delivers them. */
  append(entries: NewEntry[]): number {
    for (const entry of entries) {
      const full: Entry = { ...entry, serial: ++this.serial };
      for (const broker of this.brokers) broker.enqueue(full);
    }
    return this.serial;
  }
}

/**
 * @example
 * const shared = new MemorySharedChat();
 * const one = new MemoryBroker(shared, hubOne.listener), two = new MemoryBroker(shared, hubTwo.listener, { delayMs: 5 });
 */
export class MemoryBroker implements ChatBroker {
  readonly #shared: MemorySharedChat;
  readonly #listener: BrokerListener;
  readonly #loop: EventLoop;
  /** How long after an append this server delivers it (ms of the loop's clock). */
  readonly #delayMs: () => number;
  readonly #members = new Map<number, LocalMember>();
  readonly #quietRoomSize: number;
  readonly #historyLines: number;
  readonly #wallClock: () => number;
  #nextDeliveryAt = 0;
  #delivered = 0;
  #waiters: { serial: number; done: Event }[] = [];

  constructor(
    shared: MemorySharedChat,
    listener: BrokerListener,
    options: HistoryOptions & { delayMs?: number | (() => number); quietRoomSize?: number } = {},
  ) {
    this.#shared = shared;
    this.#historyLines = options.historyLines ?? DEFAULT_HISTORY_LINES;
    this.#wallClock = options.wallClock ?? Date.now;
    this.#quietRoomSize = options.quietRoomSize ?? DEFAULT_QUIET_ROOM_SIZE;
    this.#listener = listener;
    this.#loop = getRunningLoop();
    const delay = options.delayMs ?? 0;
    this.#delayMs = typeof delay === "number" ? () => delay : delay;
    shared.brokers.add(this);
  }

  /** @internal Deliver `entry` after this server's delay, never before an earlier one. */
  enqueue(entry: Entry): void {
    this.#nextDeliveryAt = Math.max(this.#nextDeliveryAt, this.#loop.time() + this.#delayMs());
    this.#loop.callAt(this.#nextDeliveryAt, () => this.#deliver(entry));
  }

  /** Tell this server's listener that lines may have been missed (what a failed resume does). */
  simulateMissed(): void {
    this.#listener.missed();
  }

  *admit(memberId: number, onNick: (nick: string) => void = () => {}): Coro<Admission> {
    this.#check();
    let nick: string;
    do nick = `guest${++this.#shared.guests}`;
    while (this.#shared.nicks.has(nickKey(nick)));
    this.#shared.nicks.set(nickKey(nick), { broker: this, member: memberId, nick });
    this.#members.set(memberId, { nick, room: LOBBY, announced: false });
    onNick(nick);
    return { nick, history: this.#enter(nick, LOBBY) };
  }

  isAnnounced(memberId: number): boolean {
    return this.#members.get(memberId)?.announced ?? false;
  }

  *announce(memberId: number): Coro<void> {
    const member = this.#members.get(memberId);
    if (member === undefined || member.announced) return;
    this.#check();
    member.announced = true;
    yield* this.#append(this.#notice(memberId, member.room, joined(member.nick, member.room), "joined"));
  }

  *rename(memberId: number, nick: string): Coro<boolean> {
    this.#check();
    const member = this.#member(memberId);
    const held = this.#shared.nicks.get(nickKey(nick));
    if (held !== undefined && !(held.broker === this && held.member === memberId)) return false;
    this.#shared.nicks.delete(nickKey(member.nick));
    this.#shared.nicks.set(nickKey(nick), { broker: this, member: memberId, nick });
    const nicks = this.#shared.rooms.get(roomKey(member.room))!.nicks;
    nicks[nicks.indexOf(member.nick)] = nick;
    const old = member.nick;
    member.nick = nick;
    if (member.announced) yield* this.#append(this.#notice(memberId, member.room, renamed(old, nick), "renamed"));
    return true;
  }

  *move(memberId: number, roomName: string): Coro<string[]> {
    this.#check();
    const member = this.#member(memberId);
    const from = member.room;
    const entries = member.announced ? this.#notice(memberId, from, leftRoom(member.nick, from), "left") : [];
    this.#exit(member.nick, from);
    member.room = roomName;
    member.announced = true;
    const history = this.#enter(member.nick, roomName);
    entries.push(...this.#notice(memberId, roomName, joined(member.nick, roomName), "joined"));
    yield* this.#append(entries);
    return history;
  }

  *say(memberId: number, line: string, exceptSender: boolean): Coro<void> {
    this.#check();
    const member = this.#member(memberId);
    const key = roomKey(member.room);
    const history = this.#shared.rooms.get(key)!.history;
    if (this.#historyLines > 0) {
      history.push(historyLine(line, this.#wallClock()));
      history.splice(0, history.length - this.#historyLines);
    }
    yield* this.#append([{ kind: "room", room: key, line, except: exceptSender ? { broker: this, member: memberId } : null }]);
  }

  *whisper(memberId: number, toNick: string, line: string): Coro<string | null> {
    this.#check();
    this.#member(memberId);
    const holder = this.#shared.nicks.get(nickKey(toNick));
    if (holder === undefined) return null;
    yield* this.#append([{ kind: "private", broker: holder.broker, member: holder.member, line }]);
    return holder.nick;
  }

  *leave(memberId: number, reason?: string): Coro<void> {
    const member = this.#members.get(memberId);
    if (member === undefined) return;
    this.#check();
    this.#members.delete(memberId);
    const entries = member.announced ? this.#notice(memberId, member.room, leftChat(member.nick, reason), "left") : [];
    this.#shared.nicks.delete(nickKey(member.nick));
    this.#exit(member.nick, member.room);
    yield* this.#append(entries);
  }

  *who(roomName: string, page: number): Coro<ListPage<string>> {
    this.#check();
    const nicks = this.#shared.rooms.get(roomKey(roomName))?.nicks ?? [];
    const { start, end } = pageRange(page);
    return { total: nicks.length, items: nicks.slice(start, end) };
  }

  *rooms(page: number): Coro<ListPage<{ name: string; size: number }>> {
    this.#check();
    const all = Array.from(this.#shared.rooms.values());
    const { start, end } = pageRange(page);
    return { total: all.length, items: all.slice(start, end).map((room) => ({ name: room.name, size: room.nicks.length })) };
  }

  *flushCrowdNotices(): Coro<void> {
    this.#check();
    const entries: NewEntry[] = [];
    for (const [key, tally] of this.#shared.tallies) {
      const room = this.#shared.rooms.get(key);
      if (room !== undefined) entries.push(this.#roomEntry(room.name, crowdNotice(room.name, tally, room.nicks.length)));
    }
    this.#shared.tallies.clear();
    yield* this.#append(entries);
  }

  *close(): Coro<void> {
    for (const [memberId, member] of this.#members) {
      this.#shared.nicks.delete(nickKey(member.nick));
      this.#exit(member.nick, member.room);
      this.#members.delete(memberId);
    }
    this.#shared.brokers.delete(this);
  }

  #deliver(entry: Entry): void {
    this.#delivered = entry.serial;
    if (entry.kind === "room") {
      this.#listener.roomLine(entry.room, entry.line, entry.except?.broker === this ? entry.except.member : null);
    } else if (entry.broker === this) {
      this.#listener.privateLine(entry.member, entry.line);
    }
    for (const waiter of this.#waiters) if (waiter.serial <= this.#delivered) waiter.done.set();
  }

  /** Append, then wait until this server delivered the last of it (the barrier). */
  *#append(entries: NewEntry[]): Coro<void> {
    if (entries.length === 0) return;
    const serial = this.#shared.append(entries);
    if (this.#delivered >= serial) return;
    const waiter = { serial, done: new Event() };
    this.#waiters.push(waiter);
    try {
      yield* waiter.done.wait();
    } finally {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    }
  }

  /** Puts `nick` in the room (made if needed); returns a copy of its history as it entered. */
  #enter(nick: string, roomName: string): string[] {
    const key = roomKey(roomName);
    let room = this.#shared.rooms.get(key);
    if (room === undefined) this.#shared.rooms.set(key, (room = { name: roomName, nicks: [], history: [] }));
    room.nicks.push(nick);
    return this.#historyLines === 0 ? [] : room.history.slice(-this.#historyLines);
  }

  /** A notice of a member's own act, kept from it: one entry, or none and one more in a quiet room's tally. */
  #notice(memberId: number, roomName: string, line: string, field: TallyField): NewEntry[] {
    const key = roomKey(roomName);
    if ((this.#shared.rooms.get(key)?.nicks.length ?? 0) > this.#quietRoomSize) {
      let tally = this.#shared.tallies.get(key);
      if (tally === undefined) this.#shared.tallies.set(key, (tally = { joined: 0, left: 0, renamed: 0 }));
      tally[field]++;
      return [];
    }
    return [{ kind: "room", room: key, line, except: { broker: this, member: memberId } }];
  }

  #exit(nick: string, roomName: string): void {
    const key = roomKey(roomName);
    const room = this.#shared.rooms.get(key);
    if (room === undefined) return;
    room.nicks = room.nicks.filter((n) => n !== nick);
    if (room.nicks.length === 0) this.#shared.rooms.delete(key);
  }

  #roomEntry(roomName: string, line: string): NewEntry {
    return { kind: "room", room: roomKey(roomName), line, except: null };
  }

  #member(memberId: number): LocalMember {
    const member = this.#members.get(memberId);
    if (member === undefined) throw new Error(`member ${memberId} is not admitted on this server`);
    return member;
  }

  #check(): void {
    if (!this.#shared.available) throw new BrokerUnavailableError("chat service unavailable (the shared chat is not answering)");
  }
}
