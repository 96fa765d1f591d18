/**
 * LoopTrace: one loop's side of a Tracer, the hooks the loop calls while
 * tracing. It turns what the loop does into trace events:
 *
 *   - an iteration: a slice on the `loop` track;
 *   - the timer phase and the I/O poll: slices on `timers` and `selector`,
 *     with an instant per timer that fires and per readiness that wakes;
 *   - a task's step: a slice on the task's own track; a callback's on `callbacks`;
 *   - a park: an async slice on the task's track, named by what it waits on,
 *     from the end of the step that parked to the wake-up;
 *   - a wake-up: a flow arrow from what woke the task (the step, timer
 *     phase, poll or callback running then) to the task's next step.
 *
 * Who woke whom is known without any hook in Future: a wake-up is an
 * `enqueue` of a parked task, and the tracer knows what is running then.
 */
import { Future } from "../future.ts";
import type { EventLoop } from "../event-loop.ts";
import type { Runnable } from "../ready-queue.ts";
import { Task } from "../task.ts";
import type { TimerEntry } from "../timer-heap.ts";
import { FIRST_TASK_TID, TRACKS, type TraceEvent } from "./trace-event.ts";
import type { Tracer } from "./tracer.ts";

/** What the tracer keeps about a task it has seen. */
interface TaskTrack {
  readonly tid: number;
  steps: number;
  /** The open wait's id and what it waits on, while parked. */
  waitId: string | null;
  waitLabel: string;
  /** The wake-up's flow id, until its next step starts. */
  flowId: string | null;
}

/** A step or callback being run (steps may nest: an eager task's first step). */
interface Running {
  readonly item: Runnable;
  readonly start: number;
  readonly outerContext: number;
}

const TRACK_NAMES: [number, string][] = [
  [TRACKS.loop, "loop"],
  [TRACKS.timers, "timers"],
  [TRACKS.selector, "selector"],
  [TRACKS.callbacks, "callbacks"],
  [TRACKS.outside, "outside the loop (Node callbacks)"],
];

export class LoopTrace {
  readonly #tracer: Tracer;
  readonly #loop: EventLoop;
  readonly #pid: number;
  readonly #tasks = new WeakMap<Task<unknown>, TaskTrack>();
  #nextTid = FIRST_TASK_TID;
  /** The track of what runs now: where a wake-up's arrow starts. */
  #context: number = TRACKS.outside;
  readonly #running: Running[] = [];
  #seq = 0;
  #iterationStart = 0;
  #iteration = 0;
  #phaseStart = 0;
  #phaseEvents = 0;

  constructor(tracer: Tracer, loop: EventLoop, pid: number) {
    this.#tracer = tracer;
    this.#loop = loop;
    this.#pid = pid;
    for (const [tid, name] of TRACK_NAMES) tracer.nameTrack(pid, tid, name, tid);
  }

  iterationBegin(iteration: number): void {
    this.#iteration = iteration;
    this.#iterationStart = this.#now();
    this.#context = TRACKS.loop;
  }

  iterationEnd(ran: number): void {
    this.#complete(TRACKS.loop, `iteration ${this.#iteration}`, this.#iterationStart, { iteration: this.#iteration, ran });
    this.#context = TRACKS.outside;
  }

  timersBegin(): void {
    this.#phaseBegin(TRACKS.timers);
  }

  timerDue(timer: TimerEntry, lateMs: number): void {
    this.#phaseEvents++;
    const name = timer instanceof Future ? timer.label() : String(timer);
    this.#instant(TRACKS.timers, name, { lateMs });
  }

  timersEnd(): void {
    this.#phaseEnd(TRACKS.timers, "timers");
  }

  pollBegin(): void {
    this.#phaseBegin(TRACKS.selector);
  }

  pollEnd(): void {
    this.#phaseEnd(TRACKS.selector, "poll");
  }

  /** A step or callback is about to run. */
  stepBegin(item: Runnable): void {
    const start = this.#now();
    this.#running.push({ item, start, outerContext: this.#context });
    if (!(item instanceof Task)) {
      this.#context = TRACKS.callbacks;
      return;
    }
    const track = this.#track(item);
    this.#context = track.tid;
    if (track.flowId !== null) {
      this.#tracer.emit({ name: "wake", cat: "wake", ph: "f", bp: "e", ts: start, pid: this.#pid, tid: track.tid, id: track.flowId });
      track.flowId = null;
    }
  }

  /** The step or callback begun last has returned. */
  stepEnd(): void {
    const { item, start, outerContext } = this.#running.pop()!;
    this.#context = outerContext;
    if (!(item instanceof Task)) {
      this.#complete(TRACKS.callbacks, String(item), start, undefined);
      return;
    }
    const task = item as Task<unknown>;
    const track = this.#track(task);
    const awaited = task.awaited();
    const outcome = task.done() ? (task.cancelled() ? "cancelled" : task.failed() ? "failed" : "done") : awaited === null ? "ready" : "parked";
    const args: Record<string, unknown> = { seq: ++this.#seq, step: ++track.steps, outcome };
    if (awaited !== null) args["parkedOn"] = awaited.label();
    const end = this.#complete(track.tid, task.name, start, args);
    if (awaited === null) return;
    track.waitId = this.#tracer.nextId();
    track.waitLabel = args["parkedOn"] as string;
    this.#tracer.emit({ name: track.waitLabel, cat: "wait", ph: "b", ts: end, pid: this.#pid, tid: track.tid, id: track.waitId });
  }

  /** `item` was put on the ready queue: if it is a parked task, this is its wake-up. */
  woke(item: Runnable): void {
    if (!(item instanceof Task)) return;
    const track = this.#track(item);
    if (track.waitId === null) return; // A new task, or one giving its turn back (bare yield).
    const now = this.#now();
    const pid = this.#pid;
    this.#tracer.emit({ name: track.waitLabel, cat: "wait", ph: "e", ts: now, pid, tid: track.tid, id: track.waitId });
    track.waitId = null;
    if (this.#context === TRACKS.selector) {
      this.#phaseEvents++;
      this.#instant(TRACKS.selector, `ready: ${track.waitLabel}`, undefined);
    }
    track.flowId = this.#tracer.nextId();
    this.#tracer.emit({ name: "wake", cat: "wake", ph: "s", ts: now, pid, tid: this.#context, id: track.flowId });
  }

  #track(task: Task<unknown>): TaskTrack {
    let track = this.#tasks.get(task);
    if (track === undefined) {
      const tid = this.#nextTid++;
      track = { tid, steps: 0, waitId: null, waitLabel: "", flowId: null };
      this.#tasks.set(task, track);
      this.#tracer.nameTrack(this.#pid, tid, `${task.name} (priority ${task.priority})`, tid, task);
    }
    return track;
  }

  #phaseBegin(tid: number): void {
    this.#phaseStart = this.#now();
    this.#phaseEvents = 0;
    this.#context = tid;
  }

  /** A phase that did something gets its slice (an idle poll, the common case, none). */
  #phaseEnd(tid: number, name: string): void {
    if (this.#phaseEvents > 0) this.#complete(tid, name, this.#phaseStart, { events: this.#phaseEvents });
    this.#context = TRACKS.loop;
  }

  /** Emit a complete slice from `start` to now; returns now. */
  #complete(tid: number, name: string, start: number, args: Record<string, unknown> | undefined): number {
    const end = this.#now();
    const event: TraceEvent = { name, ph: "X", ts: start, dur: end - start, pid: this.#pid, tid };
    if (args !== undefined) event.args = args;
    this.#tracer.emit(event);
    return end;
  }

  #instant(tid: number, name: string, args: Record<string, unknown> | undefined): void {
    const event: TraceEvent = { name, ph: "i", s: "t", ts: this.#now(), pid: this.#pid, tid };
    if (args !== undefined) event.args = args;
    this.#tracer.emit(event);
  }

  /** Microseconds on the loop's clock (exact with the virtual clock). */
  #now(): number {
    return this.#loop.time() * 1000;
  }
}
