/**
 * Who is running right now: the loop in its slice, the task in its step.
 * Set and restored only by EventLoop's driver and Task's step.
 */
import type { EventLoop } from "./event-loop.ts";
import type { Task } from "./task.ts";
import { LoopStateError } from "./errors.ts";

export const running: { loop: EventLoop | null; task: Task<unknown> | null } = {
  loop: null,
  task: null,
};

/**
 * The loop running the current code.
 * @throws LoopStateError outside a running loop (asyncio's `get_running_loop`).
 * @example
 * function* main() { const loop = getRunningLoop(); console.log(loop.time()); }
 */
export function getRunningLoop(): EventLoop {
  if (running.loop === null) {
    throw new LoopStateError("no running event loop: call this from a coroutine run by an EventLoop");
  }
  return running.loop;
}

/** The task whose step is running, or null (in a plain callback, or outside a loop). */
export function currentTask(): Task<unknown> | null {
  return running.task;
}
