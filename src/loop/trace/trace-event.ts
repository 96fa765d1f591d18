/**
 * The Chrome Trace Event format, as far as boucle writes it (the JSON that
 * Perfetto and chrome://tracing open). Times are microseconds on the loop's
 * clock: with the virtual clock, exact and reproducible.
 * Format reference: "Trace Event Format" (Google), and Perfetto's notes on
 * its JSON importer (async events need ids; flows bind to enclosing slices).
 */

/**
 * X: a complete slice (ts + dur). b/e: an async slice (a wait), paired by
 * cat and id. i: an instant. s/f: a flow arrow's start and end (waker ->
 * woken), paired by id. M: metadata (process and track names).
 */
export type TracePhase = "X" | "b" | "e" | "i" | "s" | "f" | "M";

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: TracePhase;
  /** Microseconds, loop clock. */
  ts: number;
  /** X only: microseconds. */
  dur?: number;
  /** One per loop, from 1. */
  pid: number;
  /** The track: see {@link TRACKS}; tasks from {@link FIRST_TASK_TID}. */
  tid: number;
  /** b/e and s/f: what pairs them. */
  id?: string;
  /** f only: "e" binds the arrow's end to the slice that encloses it (the woken task's next step). */
  bp?: "e";
  /** i only: the instant's scope ("t": its track). */
  s?: "t";
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms";
  otherData: {
    producer: "boucle";
    clock: "real" | "virtual";
    /** Events the ring let go (the oldest ones) to stay within maxEvents. */
    droppedEvents: number;
    maxEvents: number;
  };
}

/** The loop's own tracks; every task has its own, numbered from FIRST_TASK_TID. */
export const TRACKS = {
  /** A slice per iteration. */
  loop: 1,
  /** The timer phase, with an instant per timer that fires. */
  timers: 2,
  /** The I/O poll, with an instant per readiness that wakes a task. */
  selector: 3,
  /** Callbacks (Handles) as they run. */
  callbacks: 4,
  /** Wake-ups from outside any iteration (a Node callback, a settled Promise). */
  outside: 5,
} as const;

export const FIRST_TASK_TID = 100;
