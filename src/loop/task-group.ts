/**
 * TaskGroup: structured concurrency (trio's nursery, asyncio's TaskGroup).
 * Children live no longer than the group: when one fails, the others and the
 * group's body are cancelled, the group waits for every child, then throws a
 * TaskGroupError holding each failure. The form new code should prefer to a
 * bare gather.
 */
import { CancelledError, LoopStateError, TaskGroupError } from "./errors.ts";
import { DescribedFuture } from "./described-future.ts";
import type { Future } from "./future.ts";
import { currentTask, getRunningLoop } from "./running.ts";
import type { Task, TaskOptions } from "./task.ts";
import { noteGroupChild } from "./trace/task-parents.ts";
import type { Coro } from "./types.ts";

/**
 * Run `body` with a TaskGroup; return its value once every child is done.
 * @example
 * yield* taskGroup(function* (group) {
 *   group.createTask(reader(conn));
 *   group.createTask(writer(conn));
 * });
 */
export function* taskGroup<T>(body: (group: TaskGroup) => Coro<T>): Coro<T> {
  const group = new TaskGroup();
  let result: T | undefined;
  try {
    result = yield* body(group);
  } catch (error) {
    yield* group.close({ error });
    throw error; // close() throws instead when the group has more to say.
  }
  yield* group.close();
  return result as T;
}

/**
 * A set of child tasks bound to the task that created it (use
 * {@link taskGroup}). A child's failure cancels the other children and the
 * body; the group then throws a TaskGroupError with every failure. Whether
 * the body's CancelledError was the group's own doing is told by the
 * parent's cancel count (`uncancel()`), so a cancel from outside arriving at
 * the same time is never swallowed.
 * @example
 * yield* taskGroup(function* (group) {
 *   const a = group.createTask(fetchOne(1));
 *   const b = group.createTask(fetchOne(2));
 *   return [yield* a, yield* b];
 * });
 */
export class TaskGroup {
  readonly #parent: Task<unknown>;
  readonly #tasks = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  #closing = false;
  #aborting = false;
  #cancelledParent = false;
  #allDone: Future<void> | null = null;

  /** Use {@link taskGroup}; a group belongs to the task that creates it. */
  constructor() {
    const parent = currentTask();
    if (parent === null) throw new LoopStateError("a TaskGroup must be created inside a task");
    this.#parent = parent;
  }

  /** Start a child task in this group. */
  createTask<T>(coro: Coro<T>, options: Omit<TaskOptions, "loop"> = {}): Task<T> {
    if (this.#closing && this.#tasks.size === 0) throw new LoopStateError("this TaskGroup is finished");
    if (this.#aborting) throw new LoopStateError("this TaskGroup is shutting down after a failure");
    const task = getRunningLoop().createTask(coro, options);
    this.#tasks.add(task as Task<unknown>);
    noteGroupChild(task as Task<unknown>, this.#parent);
    task.addDoneCallback(this.#onChildDone);
    return task;
  }

  /**
   * @internal Wait for every child, then throw what the group has to report.
   * `bodyFailure` holds what the body threw, if it threw.
   */
  *close(bodyFailure?: { error: unknown }): Coro<void> {
    this.#closing = true;
    if (bodyFailure !== undefined) {
      // A CancelledError is rethrown by taskGroup() itself once the children are done.
      if (!(bodyFailure.error instanceof CancelledError)) this.#errors.unshift(bodyFailure.error);
      this.#abort();
    }
    let cancelled = false;
    while (this.#tasks.size > 0) {
      this.#allDone = new DescribedFuture<void>(this.#parent.loop, "task group children");
      try {
        yield* this.#allDone;
      } catch {
        // Only a cancel from outside gets here (#allDone is never failed, and
        // the group cancels its parent only before closing): cancel the children.
        cancelled = true;
        this.#abort();
      }
    }
    // Why: withdraw the cancel we asked for; one from outside stays counted.
    if (this.#cancelledParent) this.#parent.uncancel();
    if (this.#errors.length > 0) throw new TaskGroupError(this.#errors);
    if (cancelled) throw new CancelledError();
  }

  readonly #onChildDone = (task: Future<unknown>): void => {
    this.#tasks.delete(task as Task<unknown>);
    if (task.failed()) {
      this.#errors.push(task.exception());
      this.#abort();
    }
    if (this.#tasks.size === 0 && this.#allDone !== null && !this.#allDone.done()) this.#allDone.setResult();
  };

  /** Cancel every child, and the body if it is still running. */
  #abort(): void {
    if (this.#aborting) return;
    this.#aborting = true;
    for (const task of this.#tasks) task.cancel();
    if (!this.#closing && this.#parent.cancel()) this.#cancelledParent = true;
  }
}
