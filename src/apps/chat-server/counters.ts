/**
 * What the chat server counts, in plain number fields: the metrics
 * endpoint reads them when scraped (metrics.ts), and counting costs an
 * addition where it happens. Why fields, not a map of names: a room line
 * reaching 1 000 members is 1 000 sends, and each may cost an addition,
 * never a lookup.
 */
import { BAN_REASON, NO_LINE_REASON, PING_TIMEOUT_REASON, SLOW_READER_REASON } from "../chat/replies.ts";

/** Why a client's connection ended, as a label: a small fixed set, whatever the free text said. */
export const DISCONNECT_REASONS = [
  "eof",
  "quit",
  "reset",
  "error",
  "slow_reader",
  "ping_timeout",
  "first_line_timeout",
  "kicked",
  "banned",
  "shutdown",
  "broker_unavailable",
  "closed",
] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

/** Why a connection was turned away before it joined. */
export const REFUSAL_REASONS = ["banned", "too_many_from_address", "connecting_too_fast", "server_full"] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Why a line a client sent was not handled. */
export const DROPPED_LINE_REASONS = ["flood", "line_too_long"] as const;
export type DroppedLineReason = (typeof DROPPED_LINE_REASONS)[number];

const EXACT_REASONS: ReadonlyMap<string, DisconnectReason> = new Map([
  ["eof", "eof"],
  ["reset", "reset"],
  ["shutdown", "shutdown"],
  ["closed", "closed"],
  [SLOW_READER_REASON, "slow_reader"],
  [PING_TIMEOUT_REASON, "ping_timeout"],
  [NO_LINE_REASON, "first_line_timeout"],
  [BAN_REASON, "banned"],
]);

/**
 * The label of a client's end reason (ChatClient.ended: "eof", "quit: lunch",
 * "kicked by ada: spam", a socket error's code such as "EPIPE", ...).
 */
export function disconnectReason(ended: string): DisconnectReason {
  const exact = EXACT_REASONS.get(ended);
  if (exact !== undefined) return exact;
  if (ended === "quit" || ended.startsWith("quit: ")) return "quit";
  if (ended.startsWith("kicked by ")) return "kicked";
  if (ended.startsWith("chat service unavailable")) return "broker_unavailable";
  return /^E[A-Z0-9_]+$/.test(ended) ? "error" : "closed";
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/**
 * @example
 * const counters = new ChatCounters();
 * counters.linesSent++;
 * counters.disconnects[disconnectReason("quit: bye")]++;
 */
export class ChatCounters {
  /** Clients admitted (past the limits), since the start. */
  connections = 0;
  linesReceived = 0;
  /** Bytes of the lines received, newlines and over-long lines included. */
  bytesReceived = 0;
  linesSent = 0;
  bytesSent = 0;
  readonly droppedLines: Record<DroppedLineReason, number> = zeros(DROPPED_LINE_REASONS);
  readonly disconnects: Record<DisconnectReason, number> = zeros(DISCONNECT_REASONS);
  readonly refused: Record<RefusalReason, number> = zeros(REFUSAL_REASONS);
}
