/**
 * A one-line progress bar for the load test, on stderr and only when
 * stderr is a terminal: piped or redirected output stays clean.
 *
 * Invariants: at most one redraw per MIN_REDRAW_MS however often
 * `update` is called (the load test may call it per message); a drawn line
 * leaves room at the end of the terminal's width (a line that wraps can't
 * be erased by a carriage return, and leaves a trail of stale lines); after
 * `finish` the line is cleared and nothing more is written.
 */

/** Minimum time between redraws: about 10 per second is smooth and cheap. */
const MIN_REDRAW_MS = 100;
/** Width of the bar itself in characters, leaving room for the figures on an 80-column line. */
const BAR_WIDTH = 20;
/** The width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;
/**
 * Columns left free at the end of the line. Why 3: the terminal echoes
 * Ctrl-C as "^C" after the cursor, and writing the last column leaves some
 * terminals pending a wrap; either would push the cursor to the next line,
 * out of reach of the carriage return that erases the bar.
 */
const RESERVED_COLUMNS = 3;
/** Carriage return + "erase whole line" (CSI 2K): what erases the bar. */
export const CLEAR_LINE = "\r\x1b[2K";

/** How to reach the terminal, injectable for tests. */
export interface ProgressOptions {
  /** Writes raw text to the terminal, e.g. `(s) => process.stderr.write(s)`. */
  write: (text: string) => void;
  /** Whether the destination is a terminal; when false the bar writes nothing at all. */
  isTTY: boolean;
  /** Planned length of the run in ms, for the remaining time; omit when the run is bounded by message count. */
  durationMs?: number;
  /** Monotonic clock in ms; defaults to `performance.now`. */
  now?: () => number;
  /** The terminal's width now (it may be resized), e.g. `() => process.stderr.columns`; 80 when unknown. */
  columns?: () => number | undefined;
}

/** Counters shown by the bar. */
export interface ProgressSnapshot {
  /** Messages sent so far. */
  sent: number;
  /** Messages received so far. */
  received: number;
  /** Total receives expected, when known: gives the bar and remaining time in count-bounded runs. */
  expected?: number;
}

/**
 * A throttled progress bar: sent/received, current receive rate, elapsed
 * and remaining time.
 *
 * @example
 * const progress = new ProgressBar({
 *   write: (s) => process.stderr.write(s),
 *   isTTY: process.stderr.isTTY === true,
 *   durationMs: 10_000,
 *   columns: () => process.stderr.columns,
 * });
 * progress.update({ sent, received });
 * progress.finish();
 */
export class ProgressBar {
  readonly #write: (text: string) => void;
  readonly #enabled: boolean;
  readonly #durationMs: number | undefined;
  readonly #now: () => number;
  readonly #columns: () => number | undefined;
  readonly #startMs: number;
  #lastDrawMs: number | null = null;
  #lastReceived = 0;
  #drawn = false;
  #finished = false;

  constructor(options: ProgressOptions) {
    this.#write = options.write;
    this.#enabled = options.isTTY;
    this.#durationMs = options.durationMs;
    this.#now = options.now ?? (() => performance.now());
    this.#columns = options.columns ?? (() => undefined);
    this.#startMs = this.#now();
  }

  /** Redraws with the given counters, unless the last redraw was under MIN_REDRAW_MS ago. */
  update(snapshot: ProgressSnapshot): void {
    if (!this.#enabled || this.#finished) return;
    const nowMs = this.#now();
    if (this.#lastDrawMs !== null && nowMs - this.#lastDrawMs < MIN_REDRAW_MS) return;
    const sinceMs = nowMs - (this.#lastDrawMs ?? this.#startMs);
    const rate = sinceMs > 0 ? ((snapshot.received - this.#lastReceived) * 1000) / sinceMs : 0;
    this.#lastDrawMs = nowMs;
    this.#lastReceived = snapshot.received;
    this.#drawn = true;
    const width = Math.max(1, (this.#columns() || DEFAULT_COLUMNS) - RESERVED_COLUMNS);
    this.#write(CLEAR_LINE + this.#render(snapshot, nowMs - this.#startMs, rate).slice(0, width));
  }

  /** Clears the bar's line; later updates are ignored. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#drawn) this.#write(CLEAR_LINE);
  }

  #render({ sent, received, expected }: ProgressSnapshot, elapsedMs: number, rate: number): string {
    let fraction: number | null = null;
    let remainingMs: number | null = null;
    if (this.#durationMs !== undefined && this.#durationMs > 0) {
      fraction = elapsedMs / this.#durationMs;
      remainingMs = Math.max(0, this.#durationMs - elapsedMs);
    } else if (expected !== undefined && expected > 0) {
      fraction = received / expected;
      if (received > 0) remainingMs = (elapsedMs * Math.max(0, expected - received)) / received;
    }
    const parts: string[] = [];
    if (fraction !== null) {
      const clamped = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(clamped * BAR_WIDTH);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`);
    }
    parts.push(`sent ${compact(sent)}`, `recv ${compact(received)}`, `${compact(rate)}/s`, clock(elapsedMs));
    if (remainingMs !== null) parts.push(`~${clock(remainingMs)} left`);
    return parts.join("  ");
  }
}

/** 1234 -> "1234", 12345 -> "12.3k", 12345678 -> "12.3M": keeps the line short. */
function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Milliseconds as m:ss. */
function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
