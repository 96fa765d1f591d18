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
  /** Give a member a free guest nickname, tell `onNick`, then put it in #lobby; returns the nickname. */
  admit(memberId: number, onNick?: (nick: string) => void): Coro<string>;
  /** Rename a member (`nick` already valid); false if someone holds the name. */
  rename(memberId: number, nick: string): Coro<boolean>;
  /** Move a member to `roomName` (valid, not its current room). */
  move(memberId: number, roomName: string): Coro<void>;
  /** Send `line` to the member's room; `exceptSender` keeps it from the sender. */
  say(memberId: number, line: string, exceptSender: boolean): Coro<void>;
  /** Send a private line to whoever holds `toNick`; its spelling, or null if nobody does. */
  whisper(memberId: number, toNick: string, line: string): Coro<string | null>;
  /** Remove a member; its room gets `* nick left[ (reason)]`. */
  leave(memberId: number, reason?: string): Coro<void>;
  /** Nicknames in a room, on every server, in join order. */
  who(roomName: string): Coro<string[]>;
  /** Every room with its size, in creation order. */
  rooms(): Coro<{ name: string; size: number }[]>;
  /** Release this server's members and stop. */
  close(): Coro<void>;
}

/** The shared state is unreachable: the step was not done (its line not sent). */
export class BrokerUnavailableError extends Error {
  override name = "BrokerUnavailableError";
}
