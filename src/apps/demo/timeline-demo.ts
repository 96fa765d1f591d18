/**
 * `boucle demo --timeline`: the chapter's two printers on a virtual-clock
 * loop, traced, then drawn as a timeline (./timeline.ts): what is printed
 * as "foo aaa bbb bar ccc baz" is seen as two tasks taking turns.
 *
 * What each step printed is known by catching console.log while the demo
 * runs and giving each line to the task whose step is running.
 */
import { currentTask, EventLoop } from "../../loop/index.ts";
import { printMessages } from "../../loop/chapter.ts";
import type { TraceEvent } from "../../loop/trace/trace-event.ts";
import { defaultTracer, Tracer } from "../../loop/trace/tracer.ts";
import { renderTimeline } from "./timeline.ts";

export interface TimelineDemoResult {
  /** What the printers printed, in order. */
  printed: string[];
  /** The timeline, ready to print. */
  timeline: string;
  /** The run's trace events (this loop's and whatever else the tracer holds). */
  events: TraceEvent[];
  /** What the `step`th step of the task named `task` printed, if anything. */
  stepText: (task: string, step: number) => string | undefined;
}

/**
 * Run the printers and draw their timeline; the lines printed also go to
 * the real console.log as they are printed.
 * @example
 * const { timeline } = await runTimelineDemo({ width: 80 });
 * process.stdout.write(timeline);
 */
export async function runTimelineDemo(options: { width?: number; color?: boolean } = {}): Promise<TimelineDemoResult> {
  // Why: the CLI's --trace tracer, if installed, so the file holds this very run.
  const tracer = defaultTracer() ?? new Tracer();
  const loop = new EventLoop({ clock: "virtual", trace: tracer });
  // Why: a tracer may hold other loops too; this one is the latest attached.
  const pid = Math.max(...tracer.events().filter((e) => e.name === "process_name").map((e) => e.pid));
  const printed: string[] = [];
  /** By "task name#step": what that step printed. */
  const byStep = new Map<string, string[]>();
  const log = console.log;
  console.log = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    printed.push(line);
    const task = currentTask();
    if (task !== null) {
      const key = `${task.name}#${stepsSoFar(tracer, pid, task.name) + 1}`;
      byStep.set(key, [...(byStep.get(key) ?? []), line]);
    }
    log(...args);
  };
  try {
    const first = loop.createTask(printMessages("foo", "bar", "baz"), { name: "printer 1" });
    const second = loop.createTask(printMessages("aaa", "bbb", "ccc", 700), { name: "printer 2" });
    // Why not gather: it would need a main task, a third row that only waits.
    for (const printer of [first, second]) await loop.runUntilComplete(printer);
  } finally {
    console.log = log;
    loop.close();
  }
  const stepText = (task: string, step: number) => byStep.get(`${task}#${step}`)?.join(" ");
  const events = tracer.events();
  const timeline = renderTimeline(events, { ...options, pid, text: (step) => stepText(step.task, step.step) });
  return { printed, timeline, events, stepText };
}

/** Steps of the task named `name` the trace has seen end (the running one not yet). */
function stepsSoFar(tracer: Tracer, pid: number, name: string): number {
  return tracer.events().filter((e) => e.pid === pid && e.ph === "X" && e.name === name).length;
}
