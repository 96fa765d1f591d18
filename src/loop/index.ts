/**
 * boucle's event loop: the public API. Internals are not re-exported, nor is
 * the course chapter's teaching code (src/loop/chapter.ts, its own
 * `boucle/chapter` entry point).
 */
export type { Awaitable, Coro, ResultOf, Waitable, Yieldable } from "./types.ts";
export {
  CancelledError,
  InvalidStateError,
  LoopStateError,
  QueueEmpty,
  QueueFull,
  TaskGroupError,
  TimeoutError,
} from "./errors.ts";
export type { Handle, TimerHandle } from "./handle.ts";
export {
  EventLoop,
  type EventLoopOptions,
  type ExceptionContext,
  type ExceptionHandler,
  type IoPoller,
  type SlowCallbackReport,
} from "./event-loop.ts";
export type { DurationSummary, LoopStats } from "./trace/loop-stats.ts";
export { DEFAULT_MAX_EVENTS, defaultTracer, installDefaultTracer, Tracer, type TracerOptions } from "./trace/tracer.ts";
export type { TraceEvent, TraceFile, TracePhase } from "./trace/trace-event.ts";
export { formatTask, formatTaskDump, type TaskInfo, type TaskState } from "./trace/task-dump.ts";
export { Future, isFuture, type DoneCallback } from "./future.ts";
export { DescribedFuture } from "./described-future.ts";
export { Task, type TaskOptions } from "./task.ts";
export { currentTask, getRunningLoop } from "./running.ts";
export { createTask, ensureFuture, release } from "./coroutines.ts";
export { sleep, sleepUntilTime } from "./sleep.ts";
export { fromPromise } from "./promise-bridge.ts";
export { gather, gatherWith, GatheringFuture, type GatherOptions, type Results, type Settled } from "./gather.ts";
export { taskGroup, TaskGroup } from "./task-group.ts";
export { timeout, waitFor } from "./timeouts.ts";
export { cancelAndWait, race, wait, type ReturnWhen, type WaitOptions, type WaitResult } from "./wait.ts";
export { shield } from "./shield.ts";
export { BoundedSemaphore, Event, Lock, Queue, Semaphore } from "./sync.ts";
export { run } from "./run.ts";
