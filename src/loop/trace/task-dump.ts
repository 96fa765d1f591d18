/**
 * "Where is my task stuck": a description of every live task (its state,
 * what it is parked on and for how long, where in the code it stopped, its
 * TaskGroup parent) and the text tree people read. Built only when asked
 * (`loop.dumpTasks()`, a SIGUSR1 in the servers, a slow step report), so
 * nothing here costs the loop anything while nobody asks.
 */
import { running } from "../running.ts";
import type { Task } from "../task.ts";
import type { CreationSites } from "./creation-sites.ts";
import { formatLocation, generatorLocations } from "./generator-location.ts";
import { groupParentOf } from "./task-parents.ts";

/** `running`: its step is on the stack now; `ready`: queued to run; `parked`: waiting on a future. */
export type TaskState = "running" | "ready" | "parked";

/** One live task, as `loop.dumpTasks()` describes it. */
export interface TaskInfo {
  name: string;
  priority: number;
  state: TaskState;
  /** What it is parked on (`socket read 127.0.0.1:5123`, `queue get`, `Task conn-3`); null unless parked. */
  waitingOn: string | null;
  /** How long it has been parked, on the loop's clock (late by at most a driver slice, 4 ms); null unless parked. */
  waitedMs: number | null;
  /**
   * Where its coroutine stopped, outermost generator first, as
   * `name (file:line:column)`. Only the task's own generator can be seen,
   * not those it delegates to with `yield*` (docs/debugging.md says why);
   * empty for a running task or a hand-written coroutine.
   */
  where: string[];
  /** Where it was created, innermost frame first; empty unless `taskCreationSites` is on. */
  createdAt: string[];
  /** The task owning the TaskGroup it was created in; null outside a group. */
  parent: string | null;
  /** The live tasks created in TaskGroups this task owns. */
  children: TaskInfo[];
}

/**
 * @internal Describe `tasks` at loop time `now`; `loop.dumpTasks()` calls
 * this. Asks V8 for every suspended generator's location at once.
 */
export function describeTasks(tasks: readonly Task<unknown>[], now: number, sites: CreationSites | null): TaskInfo[] {
  const locations = generatorLocations(tasks.map((task) => task.getCoro()));
  const infos = new Map<Task<unknown>, TaskInfo>();
  tasks.forEach((task, i) => {
    const awaited = task.awaited();
    const state: TaskState =
      running.task === task ? "running" : awaited !== null && !awaited.done() ? "parked" : "ready";
    const location = locations[i] ?? null;
    infos.set(task, {
      name: task.name,
      priority: task.priority,
      state,
      waitingOn: state === "parked" ? awaited!.label() : null,
      waitedMs: state === "parked" ? Math.max(0, now - task.parkedAt()) : null,
      where: location === null ? [] : [formatLocation(location)],
      createdAt: sites?.framesOf(task) ?? [],
      parent: null,
      children: [],
    });
  });
  for (const [task, info] of infos) {
    const parent = groupParentOf(task);
    if (parent === undefined) continue;
    info.parent = parent.name;
    infos.get(parent)?.children.push(info);
  }
  const all = [...infos.values()];
  for (const info of all) info.children.sort(byUrgency);
  return all.sort(byUrgency);
}

/**
 * The dump as text: one line per task, children indented under the task
 * owning their TaskGroup; running tasks first, then the longest parked,
 * then the ready ones.
 * @example
 * process.stderr.write(formatTaskDump(loop.dumpTasks()));
 * // conn-12 [prio 0] parked 1.2 s on socket read 127.0.0.1:5123  at readLines (src/apps/chat-server/client.ts:120:7)
 * //   conn-12-writer [prio 0] parked 1.2 s on event wait  at writeLoop (src/apps/chat-server/client.ts:160:9)
 */
export function formatTaskDump(infos: readonly TaskInfo[]): string {
  const isChild = new Set(infos.flatMap((info) => info.children));
  const lines: string[] = [];
  const visit = (info: TaskInfo, depth: number): void => {
    lines.push(`${"  ".repeat(depth)}${formatTask(info)}`);
    for (const child of info.children) visit(child, depth + 1);
  };
  for (const info of [...infos].sort(byUrgency)) if (!isChild.has(info)) visit(info, 0);
  return lines.map((line) => `${line}\n`).join("");
}

/**
 * One task's line of the dump, without the tree's indent.
 * @example
 * for (const info of loop.dumpTasks()) if (info.state === "parked") console.error(formatTask(info));
 * // client 127.0.0.1:51938 [prio -5] parked 504 ms on socket read 127.0.0.1:51938  at serveClient (src/net/start-server.ts:64:9)
 */
export function formatTask(info: TaskInfo): string {
  let line = `${info.name} [prio ${info.priority}] ${info.state}`;
  if (info.state === "parked") line += ` ${formatDuration(info.waitedMs ?? 0)} on ${info.waitingOn}`;
  if (info.where.length > 0) line += `  at ${info.where.join(" < ")}`;
  else if (info.createdAt.length > 0) line += `  created at ${info.createdAt[0]}`;
  return line;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const STATE_ORDER: Record<TaskState, number> = { running: 0, parked: 1, ready: 2 };

function byUrgency(a: TaskInfo, b: TaskInfo): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    (b.waitedMs ?? 0) - (a.waitedMs ?? 0) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}
