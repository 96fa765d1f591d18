/**
 * Liveness of one connection: who is still there, on the loop's clock.
 *
 * Two bounds, both measured in complete lines received (a partial line
 * proves nothing: that is how a slowloris holds a slot):
 * - the *first line* must arrive within `firstLineMs` of connecting, or the
 *   connection is closed (`"no line"`);
 * - after `idleMs` without a line, the connection is pinged
 *   (`* ping <token>`); if another `idleMs` passes without a line, it is
 *   closed (`"ping timeout"`). Any line counts, `/pong <token>` or not.
 *
 * Why one lazily re-armed timer rather than one per line: a line only
 * records the time, so a chatty connection costs no timer work; the timer
 * wakes once per idle period and re-arms for what is left.
 */
import { randomBytes } from "node:crypto";

/** What liveness needs of the loop (an EventLoop is one). */
export interface LivenessClock {
  /** Milliseconds, monotonic. */
  time(): number;
  /** `time()` as of a recent read, free (EventLoop.coarseTime): what each line's stamp uses. */
  coarseTime(): number;
  callLater(delayMs: number, fn: () => void): { cancel(): void };
}

/** Why a connection is closed for silence. */
export type Silence = "no line" | "ping timeout";

/** What the connection does when liveness decides. */
export interface LivenessEvents {
  /** Send `* ping <token>` (see `ping` in replies.ts). */
  ping(token: string): void;
  /** Close the connection: it stayed silent too long. */
  silent(why: Silence): void;
}

export interface LivenessOptions {
  /** Silence before a ping, and again before closing; 0 turns pings off. */
  idleMs: number;
  /** Time to send a first complete line after connecting; 0 turns it off. */
  firstLineMs: number;
  /** Makes a ping's token; default 8 random hex digits. */
  token?: () => string;
}

/** Default silence before a ping (`--idle-timeout`, in seconds on the command line). */
export const DEFAULT_IDLE_MS = 120_000;

/**
 * Default time for a first line (`--first-line-timeout`). Why 60 s: the
 * registration timeout of IRC servers; the bundled client sends one at once.
 */
export const DEFAULT_FIRST_LINE_MS = 60_000;

/**
 * Watches one connection; call {@link alive} for every complete line and
 * {@link stop} when it closes.
 *
 * @example
 * const liveness = new Liveness(getRunningLoop(), { idleMs: 120_000, firstLineMs: 60_000 }, {
 *   ping: (token) => client.send(`* ping ${token}`),
 *   silent: (why) => client.timeOut(why),
 * });
 * while ((line = yield* reader.nextLine()) !== null) liveness.alive();
 */
export class Liveness {
  readonly #clock: LivenessClock;
  readonly #options: LivenessOptions;
  readonly #events: LivenessEvents;
  #idleTimer: { cancel(): void } | null = null;
  #firstLineTimer: { cancel(): void } | null = null;
  #lastLineAt: number;
  /** The time of the ping still unanswered, or null. */
  #pingedAt: number | null = null;

  constructor(clock: LivenessClock, options: LivenessOptions, events: LivenessEvents) {
    this.#clock = clock;
    this.#options = options;
    this.#events = events;
    this.#lastLineAt = clock.time();
    if (options.firstLineMs > 0) {
      this.#firstLineTimer = clock.callLater(options.firstLineMs, () => {
        this.#firstLineTimer = null;
        this.stop();
        events.silent("no line");
      });
    }
    if (options.idleMs > 0) this.#armIdle(options.idleMs);
  }

  /** A complete line arrived: the connection is alive. */
  alive(): void {
    this.#lastLineAt = this.#clock.coarseTime(); // Why coarse: once per line, and a few ms early or late change nothing.
    this.#pingedAt = null;
    if (this.#firstLineTimer !== null) {
      this.#firstLineTimer.cancel();
      this.#firstLineTimer = null;
    }
  }

  /** The connection is closing: no more pings or closes. */
  stop(): void {
    this.#firstLineTimer?.cancel();
    this.#idleTimer?.cancel();
    this.#firstLineTimer = this.#idleTimer = null;
  }

  #armIdle(delayMs: number): void {
    this.#idleTimer = this.#clock.callLater(delayMs, () => this.#onIdleTimer());
  }

  #onIdleTimer(): void {
    const { idleMs } = this.#options;
    const now = this.#clock.time();
    if (this.#pingedAt !== null && now - this.#pingedAt >= idleMs) {
      this.#idleTimer = null;
      this.stop();
      this.#events.silent("ping timeout");
      return;
    }
    const idleFor = now - this.#lastLineAt;
    if (this.#pingedAt === null && idleFor >= idleMs) {
      this.#pingedAt = now;
      this.#armIdle(idleMs);
      this.#events.ping((this.#options.token ?? randomToken)());
      return;
    }
    // A line came since the timer was armed: wait for what is left of the period.
    this.#armIdle(idleMs - idleFor);
  }
}

function randomToken(): string {
  return randomBytes(4).toString("hex");
}
