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
  // Why the lines and their times kept apart, stamped only on replay: a
  // line is kept on every message, replayed only when someone joins, so the
  // hot path stores two values and formats nothing.
  readonly #lines: string[] = [];
  readonly #times: number[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Keeps `line` (a `<nick> text` or `** nick text` line) said at wall-clock `atMs`. */
  add(line: string, atMs: number): void {
    if (this.#capacity === 0) return;
    this.#lines[this.#next] = line;
    this.#times[this.#next] = atMs;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The kept lines, oldest first, each `~ HH:MM line` (UTC). */
  replay(): string[] {
    const count = this.#lines.length;
    const oldest = count < this.#capacity ? 0 : this.#next;
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = (oldest + i) % count;
      out.push(historyLine(this.#lines[at]!, this.#times[at]!));
    }
    return out;
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
