/**
 * SIGUSR1 in the servers: write `loop.dumpTasks()` to the log (stderr) and
 * keep running. As text, the indented tree of `formatTaskDump`; with
 * `--log-format json`, one `task_dump` event with the count, then one
 * `task` event per task, its fields the TaskInfo's (docs/debugging.md).
 *
 * Why the dump is made in the signal's Node callback, not scheduled on the
 * loop: it only reads, and between two loop slices every task is at rest,
 * so the dump shows them exactly where they wait. Why a listener at all
 * is safe: Node starts its inspector on SIGUSR1 only while no listener is
 * installed.
 */
import { formatTask, formatTaskDump, type EventLoop, type TaskInfo } from "../../loop/index.ts";
import type { LogFormat, Logger } from "./logger.ts";

/**
 * Dump the loop's tasks to `log` on each `signal`; returns what removes the listener.
 * @example
 * const stopDumping = dumpTasksOnSignal(getRunningLoop(), always, options.logFormat);
 * try { yield* stop.wait(); } finally { stopDumping(); }
 */
export function dumpTasksOnSignal(loop: EventLoop, log: Logger, format: LogFormat, signal: NodeJS.Signals = "SIGUSR1"): () => void {
  const onSignal = (): void => writeTaskDump(loop.dumpTasks(), log, format, signal);
  process.on(signal, onSignal);
  return () => {
    process.off(signal, onSignal);
  };
}

/**
 * Write one dump as the log format wants it; `why` ends its heading.
 * @example
 * writeTaskDump(loop.dumpTasks(), createLogger({ format: "text" }), "text", "stuck for 10 s");
 * // boucle: 4 tasks (stuck for 10 s)
 * // accept [prio -10] parked 1.5 s on accept 127.0.0.1:7777  at acceptClients (src/net/start-server.ts:81:22)
 */
export function writeTaskDump(infos: readonly TaskInfo[], log: Logger, format: LogFormat, why: string): void {
  const heading = `boucle: ${infos.length} task${infos.length === 1 ? "" : "s"} (${why})`;
  if (format === "text") {
    log.info("task_dump", `${heading}\n${formatTaskDump(infos).trimEnd()}`);
    return;
  }
  log.info("task_dump", heading, { tasks: infos.length });
  for (const info of infos) {
    log.info("task", formatTask(info), {
      task: info.name,
      priority: info.priority,
      state: info.state,
      waiting_on: info.waitingOn ?? undefined,
      waited_ms: info.waitedMs === null ? undefined : Math.round(info.waitedMs),
      where: info.where[0],
      created_at: info.createdAt[0],
      parent: info.parent ?? undefined,
    });
  }
}
