/**
 * Tracer: records what loops do as Chrome Trace Events (open the file in
 * Perfetto or chrome://tracing; docs/tracing.md says how to read it).
 *
 * Bounded: a ring keeps the last `maxEvents` events, so tracing a busy
 * server for an hour holds as much as tracing it for a minute. Track names
 * (metadata) are kept apart from the ring, for the tracks still in it.
 *
 * Zero cost when off: a loop without a tracer has no LoopTrace, and each of
 * its hooks is one null check (src/loop/event-loop.ts).
 */
import { writeFileSync } from "node:fs";
import type { EventLoop } from "../event-loop.ts";
import { LoopTrace } from "./loop-trace.ts";
import type { TraceEvent, TraceFile } from "./trace-event.ts";

export interface TracerOptions {
  /** Events kept (the latest ones); default {@link DEFAULT_MAX_EVENTS}. */
  maxEvents?: number;
}

/** About 20 MB of events: minutes of a busy server, the whole of most programs. */
export const DEFAULT_MAX_EVENTS = 100_000;

/**
 * A trace recorder, shared by any number of loops (each gets its own
 * process row in the trace).
 * @example
 * const tracer = new Tracer();
 * await run(main(), { trace: tracer });
 * tracer.writeFile("trace.json"); // or run(main(), { trace: "trace.json" })
 */
export class Tracer {
  readonly maxEvents: number;
  readonly #ring: TraceEvent[] = [];
  /** Where the next event goes once the ring is full (its oldest). */
  #oldest = 0;
  #dropped = 0;
  /** Track names, by "pid:tid", with what the track follows (a task) if it may end. */
  readonly #metadata = new Map<string, { events: TraceEvent[]; owner: TrackOwner | undefined }>();
  /** Prune the track names when they grow past this (then doubled if all are still in use). */
  #pruneAt: number;
  #loops = 0;
  #clock: "real" | "virtual" | null = null;
  #ids = 0;

  constructor(options: TracerOptions = {}) {
    const max = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxEvents must be a positive integer, not ${max}`);
    this.maxEvents = max;
    this.#pruneAt = Math.max(64, max / 2);
  }

  /** Events the ring let go to stay within maxEvents. */
  get dropped(): number {
    return this.#dropped;
  }

  /** @internal Start tracing `loop`: its hooks. */
  attach(loop: EventLoop, virtual: boolean): LoopTrace {
    this.#clock ??= virtual ? "virtual" : "real";
    const pid = ++this.#loops;
    this.nameTrack(pid, 0, `boucle loop ${pid}`, 0);
    return new LoopTrace(this, loop, pid);
  }

  /** @internal Record one event. */
  emit(event: TraceEvent): void {
    const ring = this.#ring;
    if (ring.length < this.maxEvents) {
      ring.push(event);
      return;
    }
    ring[this.#oldest] = event;
    this.#oldest = (this.#oldest + 1) % this.maxEvents;
    this.#dropped++;
  }

  /**
   * @internal Name a track (tid 0: the process itself) and place it among
   * the others. A track with an `owner` (a task) may be forgotten once the
   * owner is done and the ring holds none of its events.
   */
  nameTrack(pid: number, tid: number, name: string, sortIndex: number, owner?: TrackOwner): void {
    const process = tid === 0;
    const events: TraceEvent[] = [
      { name: process ? "process_name" : "thread_name", ph: "M", ts: 0, pid, tid, args: { name } },
      { name: process ? "process_sort_index" : "thread_sort_index", ph: "M", ts: 0, pid, tid, args: { sort_index: sortIndex } },
    ];
    this.#metadata.set(`${pid}:${tid}`, { events, owner });
    // Why: a server creates tasks without end; names of tracks gone from the ring go too.
    if (this.#metadata.size > this.#pruneAt) this.#pruneMetadata();
  }

  /** @internal A fresh id for a wait or a flow. */
  nextId(): string {
    return (++this.#ids).toString(16);
  }

  /** The metadata, then the kept events, oldest first. */
  events(): TraceEvent[] {
    const kept = [...this.#ring.slice(this.#oldest), ...this.#ring.slice(0, this.#oldest)];
    const used = tracksOf(kept);
    const metadata = [...this.#metadata].filter(([key, { owner }]) => used.has(key) || owner === undefined).flatMap(([, { events }]) => events);
    return [...metadata, ...kept];
  }

  /** The whole trace, as the file holds it. */
  toJSON(): TraceFile {
    return {
      traceEvents: this.events(),
      displayTimeUnit: "ms",
      otherData: { producer: "boucle", clock: this.#clock ?? "real", droppedEvents: this.#dropped, maxEvents: this.maxEvents },
    };
  }

  /** Write the trace as JSON to `path` (synchronously: also usable at exit). */
  writeFile(path: string): void {
    writeFileSync(path, JSON.stringify(this.toJSON()));
  }

  #pruneMetadata(): void {
    const used = tracksOf(this.#ring);
    for (const [key, { owner }] of this.#metadata) if (owner?.done() === true && !used.has(key)) this.#metadata.delete(key);
    // Why: when most names are still in use, the next prune waits for as many new ones (amortised O(1) a name).
    this.#pruneAt = Math.max(this.#pruneAt, this.#metadata.size * 2);
  }
}

/** What a task track follows: the task, done or not. */
interface TrackOwner {
  done(): boolean;
}

function tracksOf(events: readonly TraceEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const event of events) keys.add(`${event.pid}:${event.tid}`);
  return keys;
}

let installed: Tracer | null = null;

/**
 * The tracer loops use when created without a `trace` option: how the CLI's
 * `--trace FILE` traces every loop of a command. `null` to stop.
 */
export function installDefaultTracer(tracer: Tracer | null): void {
  installed = tracer;
}

/** The tracer installed by {@link installDefaultTracer}, if any. */
export function defaultTracer(): Tracer | null {
  return installed;
}
