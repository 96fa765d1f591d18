/**
 * EventLoop: the scheduler. This file is the only place callbacks and task
 * steps are invoked, and it knows nothing of sockets, gather or queues.
 *
 * One iteration (`runOnce`, asyncio's `_run_once`):
 *   1. move due timers to the ready queue;
 *   2. poll the I/O poller (never blocking), which wakes the futures of the
 *      sources that became ready;
 *   3. run what was ready when the iteration began, most urgent priority
 *      first, FIFO within a priority. What these schedule waits for the next
 *      iteration, so I/O is polled between any two steps of a spinning task.
 *
 * The driver around it gives Node its turn, because Node delivers socket
 * events: while work is ready it runs iterations for a short slice, then
 * continues from `setImmediate` (never microtasks: they would starve Node's
 * timers and I/O). When nothing is ready it parks: one Node timer for the
 * nearest deadline, cancelled by the first wake-up (an I/O event, or work
 * scheduled from outside). An idle loop costs no CPU.
 *
 * Before giving Node its turn, the driver lets the poller flush what the
 * slice's iterations wrote: one write per socket per turn of Node's loop
 * (uvloop writes once per libuv iteration too). Why not per iteration:
 * no input arrives during a slice (Node delivers it between slices), so
 * the slice's later iterations would each pay a system call per socket
 * for bytes the peer answers no sooner. `runOnce` flushes its iteration.
 *
 * Tracing (option `trace`, src/loop/trace/loop-trace.ts) hooks in at the
 * iteration's edges, around the timer phase, the poll and each step, and in
 * `enqueue` (a wake-up); without a tracer each hook is one null check.
 */
import { LoopStateError } from "./errors.ts";
import { Future } from "./future.ts";
import { Handle, TimerHandle, type HandleOwner } from "./handle.ts";
import { ReadyQueue, RUN, type Runnable } from "./ready-queue.ts";
import { Ring } from "./ring.ts";
import { running } from "./running.ts";
import { Task, type TaskOptions } from "./task.ts";
import { EXPIRE, TimerHeap, type TimerEntry } from "./timer-heap.ts";
import { CreationSites } from "./trace/creation-sites.ts";
import { ITERATION_SAMPLE_EVERY, LoopHealth, type LoopStats } from "./trace/loop-stats.ts";
import type { LoopTrace } from "./trace/loop-trace.ts";
import { defaultTracer, Tracer } from "./trace/tracer.ts";
import { slowStepReport, writeSlowCallback } from "./trace/slow-step.ts";
import { describeTasks, type TaskInfo } from "./trace/task-dump.ts";
import { UnretrievedErrors } from "./unretrieved-errors.ts";
import type { Coro } from "./types.ts";

/** How long the driver runs iterations before giving Node its turn (ms). */
const SLICE_MS = 4;
/** Read the clock for the slice only after this many steps and iterations... */
const CLOCK_EVERY = 32;
/**
 * ...or up to this many, doubling while the work between two reads took
 * under CLOCK_QUICK_MS. The cap bounds the overshoot when tiny steps turn
 * slow: at most 64 iterations before the next read (16 at the start).
 */
const CLOCK_EVERY_MAX = 128;
const CLOCK_QUICK_MS = 0.05;
/** Node fires a longer setTimeout after 1 ms: park at most this long, then re-arm. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The I/O side of the loop, as src/loop sees it. src/net's Selector plugs in
 * here; the loop knows nothing else about I/O.
 */
export interface IoPoller {
  /** Wake the futures of sources that became ready since the last poll. Never blocks. */
  poll(): void;
  /** True while some task waits on I/O: the virtual clock must not jump then. */
  hasWaiters(): boolean;
  /** Before the loop gives Node its turn (and after `runOnce`): hand what was written to the OS, in one go per source. */
  flush(): void;
}

export interface ExceptionContext {
  message: string;
  exception?: unknown;
  future?: Future<unknown>;
  handle?: Handle;
}

export type ExceptionHandler = (context: ExceptionContext, loop: EventLoop) => void;

export interface SlowCallbackReport {
  /** What ran: a handle, or `step of Task <name>`. */
  what: string;
  durationMs: number;
  /** For a task's step: the task's name. */
  task?: string;
  /** For a task's step: what it parked on when the step ended (null: it ended or is ready again). */
  parkedOn?: string | null;
  /** For a task's step: where it stopped (see TaskInfo.where), else where it was created, if recorded. */
  where?: string[];
}

export interface EventLoopOptions {
  /**
   * `'real'` (default) reads a monotonic clock. `'virtual'` starts at 0 and,
   * when nothing is ready and nothing waits on I/O or a Promise, jumps to the
   * next timer: timer-heavy code runs instantly and deterministically.
   */
  clock?: "real" | "virtual";
  /** Debug: report every callback or task step slower than this (ms). */
  slowCallbackMs?: number;
  /** Where slow callbacks are reported; default: one line on stderr. */
  onSlowCallback?: (report: SlowCallbackReport) => void;
  /**
   * Record a timeline (docs/tracing.md): a Tracer, or a file the trace is
   * written to when the loop closes. Default: the tracer the CLI's
   * `--trace FILE` installed, if any (see `installDefaultTracer`).
   */
  trace?: Tracer | string;
  /**
   * Debug: record where each task is created (its stack), for
   * {@link EventLoop.dumpTasks} and slow step reports. Default false: then
   * creating a task costs one null check more.
   */
  taskCreationSites?: boolean;
}

type State = "idle" | "running" | "closed";

/** How a driver slice ends: stop the run, park until woken, or continue from setImmediate. */
type SliceEnd = "stop" | "park" | "yield";

/**
 * A selector-style event loop for generator coroutines.
 * @example
 * const loop = new EventLoop();
 * const value = await loop.runUntilComplete(function* () {
 *   yield* sleep(10);
 *   return 42;
 * }());
 */
export class EventLoop implements HandleOwner {
  /** Items for the next iteration. */
  #ready = new ReadyQueue();
  /** The iteration's snapshot, drained by runOnce; swapped with #ready. */
  #draining = new ReadyQueue();
  readonly #timers = new TimerHeap();
  readonly #virtual: boolean;
  #virtualNow = 0;
  #poller: IoPoller | null = null;
  /** Promises bridged into futures and not yet settled (they can wake us). */
  #externalWaits = 0;
  readonly #unretrieved: UnretrievedErrors;
  /**
   * Tasks not yet done, so `run` can cancel what is left. Why an array with
   * each task's index in it (`listIndex`) rather than a Set: adding and
   * removing are a store and a swap, and an entry costs one slot.
   */
  readonly #tasks: Task<unknown>[] = [];
  #exceptionHandler: ExceptionHandler | null = null;
  readonly #slowCallbackMs: number | undefined;
  readonly #onSlowCallback: (report: SlowCallbackReport) => void;
  /** The tracing hooks, or null: then each hook costs one check. */
  readonly #trace: LoopTrace | null;
  /** Where close() writes the trace, when the option named a file. */
  readonly #traceFile: { tracer: Tracer; path: string } | null = null;
  /** Steps run through #runTimed (traced or timed) rather than straight. */
  readonly #instrumented: boolean;
  readonly #creationSites: CreationSites | null;

  /** Eager first steps requested while one runs: they run after it, never nested in it. */
  readonly #eagerStarts = new Ring<Task<unknown>>();
  #inEagerStart = false;

  #state: State = "idle";
  #stopping = false;
  /** Settles runForever's Promise: `failed` says whether `error` is one (an error may be `undefined`). */
  #settleRun: ((failed: boolean, error: unknown) => void) | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #parkTimer: NodeJS.Timeout | null = null;
  /**
   * @internal The loop's time as of its latest clock read (each slice, each
   * timer phase, every CLOCK_EVERY steps), in whole milliseconds: late by at
   * most a slice, read for free. What a parked task's waiting time is
   * measured from. Why whole: an integer field costs a task 8 bytes, a
   * fractional one a boxed number besides (24 bytes).
   */
  coarseNow = 0;
  #parked = false;
  /** When (performance.now) the loop parked; -1 while not parked. */
  #parkedSince = -1;
  readonly #health = new LoopHealth();
  /** Something became ready while the loop was not parked: poll again before parking. */
  #wakeRequested = false;

  constructor(options: EventLoopOptions = {}) {
    this.#virtual = options.clock === "virtual";
    this.#slowCallbackMs = options.slowCallbackMs;
    this.#onSlowCallback = options.onSlowCallback ?? writeSlowCallback;
    this.#creationSites = options.taskCreationSites === true ? new CreationSites() : null;
    this.#unretrieved = new UnretrievedErrors((context) => this.callExceptionHandler(context));
    let tracer = options.trace ?? defaultTracer();
    if (typeof tracer === "string") {
      this.#traceFile = { tracer: new Tracer(), path: tracer };
      tracer = this.#traceFile.tracer;
    }
    this.#trace = tracer === null ? null : tracer.attach(this, this.#virtual);
    this.#instrumented = this.#trace !== null || this.#slowCallbackMs !== undefined;
  }

  // ---- time and scheduling -------------------------------------------------

  /** The loop's monotonic clock, in milliseconds. */
  time(): number {
    return this.#virtual ? this.#virtualNow : performance.now();
  }

  /**
   * The loop's time as of its latest clock read, in whole milliseconds:
   * late by at most a driver slice (4 ms), and free, where `time()` reads
   * the clock. For stamps a few ms do not change (the last activity of a
   * connection with a two-minute idle timeout), read once per message.
   */
  coarseTime(): number {
    return this.coarseNow;
  }

  /** Run `fn(...args)` in a coming iteration, FIFO with other callbacks. */
  callSoon<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Handle {
    this.#checkOpen();
    const handle = new Handle(fn as (...args: never[]) => unknown, args, this);
    this.enqueue(handle, 0);
    return handle;
  }

  /** Run `fn(...args)` once `delayMs` have passed. */
  callLater<A extends unknown[]>(delayMs: number, fn: (...args: A) => unknown, ...args: A): TimerHandle {
    return this.callAt(this.time() + Math.max(0, delayMs), fn, ...args);
  }

  /** Run `fn(...args)` at loop time `deadline` (see {@link time}); ties run FIFO. */
  callAt<A extends unknown[]>(deadline: number, fn: (...args: A) => unknown, ...args: A): TimerHandle {
    this.#checkOpen();
    const timer = new TimerHandle(deadline, fn as (...args: never[]) => unknown, args, this);
    this.addTimer(timer);
    return timer;
  }

  /** @internal Put a timer entry (a TimerHandle, a sleep) in the heap. */
  addTimer(timer: TimerEntry): void {
    this.#timers.push(timer);
    if (this.#parked) this.#unpark(); // Why: the park timer may be later than this deadline.
  }

  /** A new pending Future bound to this loop. */
  createFuture<T>(): Future<T> {
    return new Future<T>(this);
  }

  /** Wrap a coroutine in a Task scheduled on this loop. */
  createTask<T>(coro: Coro<T>, options: Omit<TaskOptions, "loop"> = {}): Task<T> {
    this.#checkOpen();
    return new Task(coro, { ...options, loop: this });
  }

  /**
   * Loop health: iterations, steps, live tasks, timer lag, iteration
   * duration (sampled), time parked. Cheap enough to leave on
   * (src/loop/trace/loop-stats.ts says what it costs).
   * @example
   * const { lag } = loop.stats();
   * if (lag.p99Ms > 50) console.warn("the loop is late on its timers");
   */
  stats(): LoopStats {
    return this.#health.snapshot(this.#tasks.length);
  }

  /** The tasks of this loop that are not done yet, in no particular order. */
  allTasks(): Task<unknown>[] {
    return [...this.#tasks];
  }

  /**
   * Every live task: its state, what it is parked on and since when, where
   * its coroutine stopped, its TaskGroup children. For debugging: this asks
   * V8 where each generator is (a few ms), so do not call it per request.
   * src/loop/trace/task-dump.ts builds it; `formatTaskDump` prints it.
   * @example
   * process.stderr.write(formatTaskDump(loop.dumpTasks()));
   */
  dumpTasks(): TaskInfo[] {
    return describeTasks(this.#tasks, this.time(), this.#creationSites);
  }

  /** @internal A task was created (true) or finished (false). */
  noteTask(task: Task<unknown>, alive: boolean): void {
    const tasks = this.#tasks;
    if (alive) {
      task.listIndex = tasks.push(task) - 1;
      if (this.#creationSites !== null) this.#creationSites.record(task);
      return;
    }
    const i = task.listIndex;
    if (i < 0) return;
    task.listIndex = -1;
    const last = tasks.pop()!;
    if (last !== task) {
      tasks[i] = last; // Why: fill the hole with the last one, O(1).
      last.listIndex = i;
    }
  }

  /**
   * @internal Put a runnable on the ready queue for the next iteration.
   * The one entry point for Handles, task steps and wake-ups.
   */
  enqueue(item: Runnable, priority: number): void {
    if (this.#trace !== null) this.#trace.woke(item);
    this.#ready.push(item, priority);
    if (this.#parked) this.#unpark();
  }

  /**
   * @internal Run an eager task's first step now, from inside the current
   * callback or step. Why the queue: an eager task that creates an eager
   * task would otherwise run its step nested inside its creator's, and a
   * chain of them would grow the JS stack until it overflows. Starts asked
   * for during an eager start run after it, in this same call.
   */
  startEager(task: Task<unknown>): void {
    if (this.#inEagerStart) {
      this.#eagerStarts.push(task);
      return;
    }
    this.#inEagerStart = true;
    try {
      this.#runStep(task);
      for (let next = this.#eagerStarts.shift(); next !== undefined; next = this.#eagerStarts.shift()) this.#runStep(next);
    } finally {
      this.#inEagerStart = false;
    }
  }

  // ---- I/O ------------------------------------------------------------------

  /** Plug in the I/O poller (src/net's Selector). One per loop. */
  setPoller(poller: IoPoller): void {
    if (this.#poller !== null && this.#poller !== poller) {
      throw new LoopStateError("this loop already has an I/O poller");
    }
    this.#poller = poller;
  }

  getPoller(): IoPoller | null {
    return this.#poller;
  }

  /**
   * Called when an I/O source became ready (from a Node callback, or
   * synchronously during an iteration): unpark, or make sure the driver
   * polls again before it parks.
   */
  wakeUp(): void {
    if (this.#parked) this.#unpark();
    else this.#wakeRequested = true;
  }

  /** @internal A Promise bridged into a future began (+1) or settled (-1). */
  noteExternalWait(delta: 1 | -1): void {
    this.#externalWaits += delta;
  }

  // ---- errors ----------------------------------------------------------------

  /** Handle errors nobody retrieved and exceptions in callbacks. */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    this.#exceptionHandler = handler;
  }

  /** Report to the exception handler (default: print to stderr). */
  callExceptionHandler(context: ExceptionContext): void {
    if (this.#exceptionHandler === null) {
      console.error(`boucle: ${context.message}`, context.exception ?? "");
      return;
    }
    try {
      this.#exceptionHandler(context, this);
    } catch (error) {
      console.error("boucle: the exception handler threw", error, "while handling", context);
    }
  }

  /** @internal HandleOwner */
  callException(message: string, exception: unknown, handle: Handle): void {
    this.callExceptionHandler({ message, exception, handle });
  }

  /** @internal Timers held by the heap, cancelled ones not yet compacted away included. */
  timerHeapLength(): number {
    return this.#timers.length;
  }

  /** @internal HandleOwner */
  timerCancelled(timer: TimerEntry): void {
    if (timer.scheduled) this.#timers.noteCancelled();
  }

  /** @internal A future failed: report it unless someone retrieves the error. */
  trackFailure(future: Future<unknown>, exception: unknown): void {
    this.#unretrieved.track(future, exception);
  }

  /** @internal The failure of `future` was retrieved. */
  untrackFailure(future: Future<unknown>): void {
    this.#unretrieved.untrack(future);
  }

  // ---- running -----------------------------------------------------------------

  isRunning(): boolean {
    return this.#state === "running";
  }

  isClosed(): boolean {
    return this.#state === "closed";
  }

  /**
   * One iteration: due timers, I/O poll, the snapshot of ready work, then
   * the poller's flush.
   * Synchronous; the driver calls it, and tests may call it directly.
   * Returns how many callbacks and task steps it ran.
   */
  runOnce(): number {
    const outer = running.loop;
    running.loop = this;
    try {
      const ran = this.#iterate();
      this.#poller?.flush();
      return ran;
    } finally {
      running.loop = outer;
    }
  }

  /** runOnce's body; the driver calls it directly, `running.loop` set once per slice. */
  #iterate(): number {
    const health = this.#health;
    const trace = this.#trace;
    // Why sampled: a clock read costs as much as a tiny iteration.
    const sampledStart = (++health.iterations & (ITERATION_SAMPLE_EVERY - 1)) === 0 ? performance.now() : -1;
    if (trace !== null) trace.iterationBegin(health.iterations);
    if (this.#timers.size > 0) this.#expireTimers();
    this.#wakeRequested = false; // This poll sees whatever asked for it.
    const poller = this.#poller;
    if (poller !== null) {
      if (trace !== null) trace.pollBegin();
      poller.poll();
      if (trace !== null) trace.pollEnd();
    }

    // Why: swap rather than drain #ready, so work scheduled now waits.
    const batch = this.#ready;
    this.#ready = this.#draining;
    this.#draining = batch;
    const ran = batch.size;
    if (!this.#instrumented) {
      for (let item = batch.shift(); item !== undefined; item = batch.shift()) item[RUN]();
    } else {
      for (let item = batch.shift(); item !== undefined; item = batch.shift()) this.#runTimed(item);
    }
    health.steps += ran;
    if (sampledStart >= 0) health.noteIteration(performance.now() - sampledStart);
    if (trace !== null) trace.iterationEnd(ran);
    return ran;
  }

  /** Due timers: a callback joins this iteration's ready work, a sleep wakes its task (which joins it too). */
  #expireTimers(): void {
    const now = this.time();
    this.coarseNow = Math.floor(now);
    const trace = this.#trace;
    if (trace !== null) trace.timersBegin();
    for (let timer = this.#timers.popDue(now); timer !== undefined; timer = this.#timers.popDue(now)) {
      this.#health.noteLag(now - timer.when);
      if (trace !== null) trace.timerDue(timer, now - timer.when);
      const callback = timer[EXPIRE]();
      if (callback !== undefined) this.#ready.push(callback, 0);
    }
    if (trace !== null) trace.timersEnd();
  }

  /**
   * Run until `stop()`. Resolves when the loop has stopped.
   * @throws LoopStateError if the loop is closed or already running.
   */
  runForever(): Promise<void> {
    this.#checkOpen();
    if (this.#state === "running") throw new LoopStateError("this event loop is already running");
    this.#state = "running";
    return new Promise<void>((resolve, reject) => {
      this.#settleRun = (failed, error) => (failed ? reject(error) : resolve());
      this.#drive();
    });
  }

  /**
   * Run until `work` (a coroutine or a future) is done; resolve with its
   * result or reject with its error. The only Promise a user sees.
   */
  async runUntilComplete<T>(work: Coro<T> | Future<T>): Promise<T> {
    this.#checkOpen();
    if (this.#state === "running") throw new LoopStateError("this event loop is already running");
    const future = work instanceof Future ? work : this.createTask(work);
    future.addDoneCallback(stopLoop);
    try {
      await this.runForever();
    } finally {
      future.removeDoneCallback(stopLoop);
    }
    if (!future.done()) throw new LoopStateError("the event loop stopped before the future completed");
    return future.result();
  }

  /** Stop after the current iteration (asyncio's `stop`). */
  stop(): void {
    this.#stopping = true;
    if (this.#parked) this.#unpark();
  }

  /**
   * Close the loop: drop pending callbacks and timers, report errors never
   * retrieved. A closed loop cannot run again.
   * @throws LoopStateError if it is running.
   */
  close(): void {
    if (this.#state === "running") throw new LoopStateError("cannot close a running event loop");
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#ready.clear();
    this.#draining.clear();
    this.#timers.clear();
    this.#unretrieved.reportAll();
    if (this.#traceFile !== null) this.#traceFile.tracer.writeFile(this.#traceFile.path);
  }

  // ---- the Node driver -----------------------------------------------------------

  readonly #drive = (): void => {
    this.#immediate = null;
    this.#parkTimer = null;
    this.#parked = false;
    const sliceStart = performance.now();
    this.coarseNow = Math.floor(this.#virtual ? this.#virtualNow : sliceStart);
    if (this.#parkedSince >= 0) {
      this.#health.noteParked(sliceStart - this.#parkedSince);
      this.#parkedSince = -1;
    }
    running.loop = this; // Why once per slice: Node called us, nothing else runs until we return.
    let next: SliceEnd;
    try {
      next = this.#runSlice(sliceStart, sliceStart + SLICE_MS);
      this.#poller?.flush();
    } catch (error) {
      // Only a bug of ours gets here: callbacks and steps capture their own
      // errors, whatever user code throws (test/loop/outcome.test.ts).
      running.task = running.loop = null;
      return this.#finishRun(true, error);
    }
    running.loop = null;
    if (next === "stop") this.#finishRun(false, undefined);
    else if (next === "park") this.#park();
    else this.#immediate = setImmediate(this.#drive);
  };

  /**
   * Iterations, until the loop is to stop, park (nothing ready) or give Node
   * its turn (the slice is over). Why its own method, without try/finally:
   * the loop the whole program spends its time in stays small and plain.
   */
  #runSlice(sliceStart: number, sliceEnd: number): SliceEnd {
    // Why a budget, not a clock read per iteration: reading the clock costs
    // as much as a tiny iteration. Why it grows: 16 tiny iterations take a
    // microsecond, and three reads per 16 were a seventh of a lone task's switch.
    let every = CLOCK_EVERY;
    let budget = every;
    let lastRead = sliceStart;
    for (;;) {
      budget -= this.#iterate() + 1;
      if (this.#stopping) return "stop";
      if (this.#ready.size === 0 && !this.#wakeRequested && !this.#jumpVirtualClock()) return "park";
      if (budget <= 0) {
        const now = performance.now();
        if (!this.#virtual) this.coarseNow = Math.floor(now);
        if (now >= sliceEnd) return "yield";
        every = now - lastRead < CLOCK_QUICK_MS ? Math.min(every * 2, CLOCK_EVERY_MAX) : CLOCK_EVERY;
        budget = every;
        lastRead = now;
      }
    }
  }

  /** With the virtual clock, when only timers can wake us: jump to the next one. */
  #jumpVirtualClock(): boolean {
    if (!this.#virtual || this.#externalWaits > 0 || this.#poller?.hasWaiters()) return false;
    const deadline = this.#timers.nextDeadline();
    if (deadline === undefined) return false;
    this.#poller?.flush(); // The loop waits for time to pass: what it wrote leaves first, as before a real park.
    if (deadline > this.#virtualNow) {
      this.#health.noteParked(deadline - this.#virtualNow);
      this.#virtualNow = deadline;
      this.coarseNow = Math.floor(deadline);
    }
    return true;
  }

  #park(): void {
    this.#parked = true;
    this.#parkedSince = performance.now();
    const deadline = this.#virtual ? undefined : this.#timers.nextDeadline();
    if (deadline !== undefined) {
      const delay = Math.min(Math.max(0, deadline - this.time()), MAX_TIMEOUT_MS);
      this.#parkTimer = setTimeout(this.#drive, delay);
    }
  }

  #unpark(): void {
    this.#parked = false;
    if (this.#parkTimer !== null) clearTimeout(this.#parkTimer);
    this.#parkTimer = null;
    this.#immediate = setImmediate(this.#drive);
  }

  #finishRun(failed: boolean, error: unknown): void {
    this.#stopping = false;
    this.#state = "idle";
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    if (this.#parkTimer !== null) clearTimeout(this.#parkTimer);
    this.#immediate = this.#parkTimer = null;
    this.#parked = false;
    const settle = this.#settleRun;
    this.#settleRun = null;
    settle?.(failed, error);
  }

  /** One step or callback, traced and timed when the loop is instrumented. */
  #runStep(item: Runnable): void {
    if (this.#instrumented) this.#runTimed(item);
    else item[RUN]();
  }

  #runTimed(item: Runnable): void {
    const trace = this.#trace;
    if (trace !== null) trace.stepBegin(item);
    const start = this.#slowCallbackMs === undefined ? 0 : performance.now();
    item[RUN]();
    if (trace !== null) trace.stepEnd();
    if (this.#slowCallbackMs === undefined) return;
    const durationMs = performance.now() - start;
    if (durationMs < this.#slowCallbackMs) return;
    if (!(item instanceof Task)) return this.#onSlowCallback({ what: String(item), durationMs });
    this.#onSlowCallback(slowStepReport(item, durationMs, this.#creationSites));
  }

  #checkOpen(): void {
    if (this.#state === "closed") throw new LoopStateError("this event loop is closed");
  }
}

function stopLoop(future: Future<unknown>): void {
  future.loop.stop();
}
