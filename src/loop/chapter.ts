/**
 * The course chapter's first steps, kept runnable: a loop-less world where a
 * "task" is just a generator and the scheduler is a `while` around `next()`.
 * The real loop (EventLoop) replaces all of this; see examples/.
 */
import { sleep } from "./sleep.ts";
import { running } from "./running.ts";
import { RESUMED, type Coro } from "./types.ts";

/** The chapter's `run_task`: resume one coroutine with `next()` until it ends. */
export function runTask<T>(coro: Coro<T>): T {
  for (;;) {
    const step = coro.next(RESUMED); // (what a bare yield gets back; see RESUMED)
    if (step.done) return step.value;
  }
}

/** The chapter's `run_tasks`: round-robin, one `next()` each, until all end. */
export function runTasks(...coros: Coro<unknown>[]): void {
  const tasks = [...coros];
  while (tasks.length > 0) {
    const task = tasks.shift()!; // The first available task...
    if (!task.next(RESUMED).done) tasks.push(task); // ...back to the end of the line if not finished.
  }
}

/**
 * The chapter's naive `sleep_until`: busy-wait, giving the turn back, until
 * the wall clock passes `deadlineMs` (a `Date.now()` value). Burns CPU; the
 * loop's `sleep` parks on a timer instead.
 */
export function* sleepUntil(deadlineMs: number): Coro<void> {
  while (Date.now() < deadlineMs) yield;
}

/** The chapter's naive `sleep`, built on the busy-waiting `sleepUntil`. */
export function* naiveSleep(ms: number): Coro<void> {
  yield* sleepUntil(Date.now() + ms);
}

/**
 * The chapter's `print_messages`: print each message, then sleep (default
 * 1000 ms, or the trailing number). On a running loop it uses the loop's
 * `sleep`; under `runTasks`, where there is no loop, the naive busy-wait.
 * @example
 * runTasks(printMessages("foo", "bar", "baz"), printMessages("aaa", "bbb", "ccc", 700));
 * // foo aaa bbb bar ccc baz
 */
export function* printMessages(...args: [...messages: string[], sleepMs: number] | string[]): Coro<void> {
  const last = args[args.length - 1];
  const sleepMs = typeof last === "number" ? last : 1000;
  const messages = (typeof last === "number" ? args.slice(0, -1) : args) as string[];
  const pause = running.loop === null ? naiveSleep : sleep;
  for (const message of messages) {
    console.log(message);
    yield* pause(sleepMs);
  }
}
