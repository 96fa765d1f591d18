/**
 * Which task owns the TaskGroup a task was created in, so a task dump can
 * draw the tree. Why a WeakMap written by TaskGroup.createTask rather than a
 * field on every Task: groups are made per connection, not per message, and
 * tasks created outside a group pay nothing.
 */
import type { Task } from "../task.ts";

const parents = new WeakMap<Task<unknown>, Task<unknown>>();

/** @internal `child` was created in a TaskGroup owned by `parent`. */
export function noteGroupChild(child: Task<unknown>, parent: Task<unknown>): void {
  parents.set(child, parent);
}

/** @internal The owner of the TaskGroup `task` was created in, if any. */
export function groupParentOf(task: Task<unknown>): Task<unknown> | undefined {
  return parents.get(task);
}
