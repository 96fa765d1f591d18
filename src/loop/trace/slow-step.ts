/**
 * What `slowCallbackMs` says about a slow task step: the task, what it
 * parked on when the step ended, and where it stopped (the generator's
 * location right after the slow code, else its creation site). Computed
 * only after a step was slow: asking V8 for a location costs a few ms.
 */
import type { SlowCallbackReport } from "../event-loop.ts";
import type { Task } from "../task.ts";
import type { CreationSites } from "./creation-sites.ts";
import { formatLocation, generatorLocations } from "./generator-location.ts";

/** @internal The report of a slow step of `task`, which just ended. */
export function slowStepReport(task: Task<unknown>, durationMs: number, sites: CreationSites | null): SlowCallbackReport {
  const done = task.done();
  const [location] = done ? [null] : generatorLocations([task.getCoro()]);
  const where = location == null ? (sites?.framesOf(task).slice(0, 1) ?? []) : [formatLocation(location)];
  const parkedOn = done ? null : (task.awaited()?.label() ?? null);
  return { what: `step of Task ${task.name}`, durationMs, task: task.name, parkedOn, where };
}

/**
 * The default slow callback report: one stderr line.
 * @internal
 * @example
 * // boucle: step of Task conn-12 took 80.3 ms (then parked on socket read 127.0.0.1:5123, at readLines (src/x.ts:120:7))
 */
export function writeSlowCallback(r: SlowCallbackReport): void {
  const then = [
    ...(r.parkedOn !== undefined && r.parkedOn !== null ? [`then parked on ${r.parkedOn}`] : []),
    ...(r.where !== undefined && r.where.length > 0 ? [`at ${r.where[0]}`] : []),
  ];
  process.stderr.write(`boucle: ${r.what} took ${r.durationMs.toFixed(1)} ms${then.length > 0 ? ` (${then.join(", ")})` : ""}\n`);
}
