/**
 * Where each task was created (`EventLoopOptions.taskCreationSites`): the
 * stack of its `createTask` call, outside src/loop. For tasks whose
 * suspended location V8 cannot tell (a hand-written coroutine, a running
 * one), and to say who started a task. Off by default; on, it costs one
 * captured Error per task (its text is formatted only when a dump asks).
 */
import type { Task } from "../task.ts";
import { shortenFileUrls } from "./short-paths.ts";

/** Frames kept after trimming the loop's own. */
const FRAMES_KEPT = 4;
/** Why above the default 10: up to six frames are the loop's own (Task, noteTask, createTask, TaskGroup...). */
const STACK_DEPTH = 16;

/** @internal One loop's record of where its tasks were created (weakly held: a finished task is forgotten). */
export class CreationSites {
  readonly #sites = new WeakMap<Task<unknown>, Error>();

  /** Capture the stack of the code creating `task`. */
  record(task: Task<unknown>): void {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_DEPTH;
    this.#sites.set(task, new Error("created"));
    Error.stackTraceLimit = limit;
  }

  /** The frames of `task`'s creation outside src/loop, innermost first; empty if not recorded. */
  framesOf(task: Task<unknown>): string[] {
    const stack = this.#sites.get(task)?.stack;
    if (stack === undefined) return [];
    return stack
      .split("\n")
      .slice(1)
      .map((line) => line.trim().replace(/^at /, ""))
      .filter((frame) => !isNoise(frame))
      .slice(0, FRAMES_KEPT)
      .map(shortenFileUrls);
  }
}

/** The loop's own frames, the generators' `next` and Node's internals: not what anyone is looking for. */
function isNoise(frame: string): boolean {
  return /[\\/]src[\\/]loop[\\/]/.test(frame) || frame.endsWith("(<anonymous>)") || frame.includes("node:internal");
}
