/**
 * What the chat of one server needs from the state shared by all servers:
 * the ChatBroker (implemented on Redis, and in memory for unit tests) and
 * the BrokerListener through which it hands back the lines to deliver.
 */
import type { Coro } from "../../../loop/index.ts";

/** What the broker hands to the server: lines for its own members. */
export interface BrokerListener {
  /** A room line for this server's members of `roomKey`, except member `except` (the sender of a message). */
  roomLine(roomKey: string, line: string, except: number | null): void;
  /** A private line for member `memberId` of this server. */
  privateLine(memberId: number, line: string): void;
  /** Lines may have been lost (trimmed away during an outage, or the shared state restarted empty). */
  missed(): void;
}

/**
 * Nicknames, rosters and room lines shared by every server of one chat.
 * Every step that appends lines returns once this server has delivered
 * them (the reply barrier).
 * @throws BrokerUnavailableError from any step while the shared state can't be reached.
 */
export interface ChatBroker {
  /**
   * Give a member a free guest nickname, tell `onNick`, then put it in
   * #lobby, unannounced (no notice yet); returns the nickname and #lobby's
   * history as it was when the member entered.
   */
  admit(memberId: number, onNick?: (nick: string) => void): Coro<Admission>;
  /** Whether the member's room was told of its arrival (by {@link announce}, or a move). */
  isAnnounced(memberId: number): boolean;
  /**
   * Tell the member's room, the member excepted, that it arrived: once (later
   * calls do nothing); a notice, or one more join in a quiet room's tally.
   */
  announce(memberId: number): Coro<void>;
  /**
   * Rename a member (`nick` already valid); false if someone holds the name.
   * An announced member's room (the member excepted) gets the notice.
   */
  rename(memberId: number, nick: string): Coro<boolean>;
  /**
   * Move a member to `roomName` (valid, not its current room), announced
   * there at once; the old room gets `* nick left #room` if it was announced.
   * Neither notice goes to the member itself. Returns the new room's
   * history, read in the step that enters it: every later line of the room
   * reaches the member live, none twice.
   */
  move(memberId: number, roomName: string): Coro<string[]>;
  /**
   * Send `line` (a message or an action) to the member's room, and keep it
   * in the room's history in the same step; `exceptSender` keeps it from the sender.
   */
  say(memberId: number, line: string, exceptSender: boolean): Coro<void>;
  /** Send a private line to whoever holds `toNick`; its spelling, or null if nobody does. */
  whisper(memberId: number, toNick: string, line: string): Coro<string | null>;
  /** Remove a member; its room gets `* nick left[ (reason)]` if it was announced. */
  leave(memberId: number, reason?: string): Coro<void>;
  /** Page `page` (from 1, see paging.ts) of the nicknames in a room, on every server, in join order. */
  who(roomName: string, page: number): Coro<ListPage<string>>;
  /** Page `page` of the rooms with their sizes, in creation order. */
  rooms(page: number): Coro<ListPage<{ name: string; size: number }>>;
  /**
   * Tell each quiet room (above the quiet room size) the joins, leaves and
   * renames it was not told one by one since any server last did, in one
   * line. Every server may call it; each tally is told once.
   */
  flushCrowdNotices(): Coro<void>;
  /** Release this server's members and stop. */
  close(): Coro<void>;
}

/** What {@link ChatBroker.admit} gives a newcomer. */
export interface Admission {
  readonly nick: string;
  /** #lobby's last lines, `~ HH:MM line`, oldest first. */
  readonly history: string[];
}

/** Options both brokers share for the rooms' history. */
export interface HistoryOptions {
  /** Lines kept per room (`--history N`); default DEFAULT_HISTORY_LINES, 0 none. */
  historyLines?: number;
  /** Wall clock in milliseconds, for the time stamps of history; default `Date.now`. */
  wallClock?: () => number;
}

/** One page of a shared list and the length of the whole list. */
export interface ListPage<T> {
  readonly items: T[];
  readonly total: number;
}

/** What a quiet room's tally counts (the field of each notice). */
export type TallyField = "joined" | "left" | "renamed";

/** The shared state is unreachable: the step was not done (its line not sent). */
export class BrokerUnavailableError extends Error {
  override name = "BrokerUnavailableError";
}
