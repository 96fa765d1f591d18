/**
 * A room's recent lines, replayed to whoever joins it: the last N messages
 * and actions, each with the time it was said, in a fixed ring.
 */
import { HISTORY } from "./markers.ts";

/** Lines kept per room by default (`--history N`, 0 turns history off). */
export const DEFAULT_HISTORY_LINES = 20;

/**
 * The last `capacity` lines of one room.
 *
 * @example
 * const history = new RoomHistory(20);
 * history.add("<ada> hi", Date.now());
 * history.replay(); // ["~ 14:02 <ada> hi"]
 */
export class RoomHistory {
  readonly #lines: string[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Keeps `line` (a `<nick> text` or `** nick text` line) said at wall-clock `atMs`. */
  add(line: string, atMs: number): void {
    if (this.#capacity === 0) return;
    const stamped = historyLine(line, atMs);
    if (this.#lines.length < this.#capacity) this.#lines.push(stamped);
    else this.#lines[this.#next] = stamped;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The kept lines, oldest first, each `~ HH:MM line` (UTC). */
  replay(): string[] {
    if (this.#lines.length < this.#capacity) return this.#lines.slice();
    return [...this.#lines.slice(this.#next), ...this.#lines.slice(0, this.#next)];
  }
}

/**
 * `line` as history replays it: `~ HH:MM line` (UTC), said at wall-clock `atMs`.
 * The one spelling of a history line, for one server (RoomHistory) and for the shared chat (the brokers).
 *
 * @example
 * historyLine("<ada> hi", Date.UTC(2026, 0, 1, 14, 2)); // "~ 14:02 <ada> hi"
 */
export function historyLine(line: string, atMs: number): string {
  return `${HISTORY}${clockTime(atMs)} ${line}`;
}

/** `HH:MM` in UTC. Why UTC: the server does not know its readers' time zones. */
function clockTime(atMs: number): string {
  return new Date(atMs).toISOString().slice(11, 16);
}
