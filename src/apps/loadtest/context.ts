/**
 * What both load-test modes share: the run's clock (start, end of warm-up,
 * end of sending), the connection ramp, the supervisor (end and stall
 * detection, progress bar).
 */
import { Event, getRunningLoop, sleep, sleepUntilTime, type Coro } from "../../loop/index.ts";
import type { LoadtestOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";
import { RunStats } from "./stats.ts";

/** How often the supervisor looks at the counters (ms): end and stall detection, progress bar. */
export const SUPERVISE_EVERY_MS = 20;
/** Longest line a client keeps while waiting for its newline, beyond the message size (chat notices are short). */
export const LINE_SLACK = 64 * 1024;

/** What the modes share during a run. */
export class RunContext {
  readonly options: LoadtestOptions;
  readonly stats = new RunStats();
  /** Set when every client has connected (or failed to): sending may begin. */
  readonly started = new Event();
  /** The run's clock: the loop's, so a virtual-clock loop can drive a run in tests. */
  readonly loop = getRunningLoop();
  /** Loop time when sending began. */
  startMs = Infinity;
  /** Sends stop at this time in duration runs (Infinity in count runs). */
  sendDeadlineMs = Infinity;
  /** Set by the supervisor: stop sending now (stall, or the end). */
  stopping = false;

  constructor(options: LoadtestOptions) {
    this.options = options;
  }

  /** Begin the measured run now: the warm-up, then the measured phase. */
  start(): void {
    const { options, stats } = this;
    this.startMs = this.now();
    stats.noteStart();
    stats.measureStartMs = this.startMs + options.warmupMs;
    if (options.messages === null) this.sendDeadlineMs = stats.measureStartMs + options.durationMs;
    this.started.set();
  }

  /** Now, on the run's clock (ms). */
  now(): number {
    return this.loop.time();
  }

  /** May a client that has sent `sentByIt` messages send one more at time `nowMs`? */
  maySend(sentByIt: number, nowMs: number): boolean {
    if (this.stopping) return false;
    const { messages } = this.options;
    return messages === null ? nowMs < this.sendDeadlineMs : sentByIt < messages;
  }
}

/** What a mode reports to the supervisor and the progress bar. */
export interface ModeProgress {
  /** Messages whose arrival is still awaited (0 when everything sent has arrived). */
  outstanding(): number;
  /** Total receives expected by the end, when already known (count runs). */
  plannedReceives(): number | undefined;
}

/**
 * Start `count` clients at `perSecond` (0: all at once), `startClient(i)`
 * creating each one's task.
 */
export function* ramp(count: number, perSecond: number, startClient: (index: number) => void): Coro<void> {
  const loop = getRunningLoop();
  const t0 = loop.time();
  for (let i = 0; i < count; i++) {
    if (perSecond > 0) {
      const due = t0 + (i * 1000) / perSecond;
      if (due > loop.time()) yield* sleepUntilTime(due);
    }
    startClient(i);
  }
}

/**
 * Wait until `isDone()` or a stall: nothing of `progress` arriving for
 * `drainTimeoutMs` while something is outstanding. Returns false on a
 * stall. Meanwhile redraws the progress bar.
 */
export function* supervise(ctx: RunContext, progress: ModeProgress, bar: ProgressBar | null, isDone: () => boolean): Coro<boolean> {
  let lastReceived = ctx.stats.received;
  let lastChangeMs = ctx.now();
  for (;;) {
    if (isDone()) return true;
    yield* sleep(SUPERVISE_EVERY_MS);
    const now = ctx.now();
    const { received } = ctx.stats;
    if (received !== lastReceived || progress.outstanding() === 0) {
      lastReceived = received;
      lastChangeMs = now;
    } else if (now - lastChangeMs > ctx.options.drainTimeoutMs) {
      return false;
    }
    bar?.update({ sent: ctx.stats.sent, received, expected: progress.plannedReceives() });
  }
}

/** The progress bar for this run, or null when it must stay quiet. */
export function progressBarFor(options: LoadtestOptions, stderr: { isTTY?: boolean; columns?: number; write(text: string): unknown }): ProgressBar | null {
  if (!options.progress || stderr.isTTY !== true) return null;
  const planned = options.messages === null ? options.warmupMs + options.durationMs : undefined;
  const loop = getRunningLoop();
  return new ProgressBar({ write: (text) => void stderr.write(text), isTTY: true, durationMs: planned, now: () => loop.time(), columns: () => stderr.columns });
}

