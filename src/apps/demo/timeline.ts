/**
 * The interleaving of a loop's tasks, drawn in the terminal from its trace:
 * a row per task, a column per step in the order the loop ran them (the
 * trace's `seq`), so time flows right. A step is a box with what it
 * printed; between two steps a task is either parked (a line, with what it
 * waits on where it fits) or ready but not yet running (dots).
 *
 * Pure: trace events in, a string out. Columns follow step order rather
 * than a time scale, since on the virtual clock every step of an iteration
 * has the same timestamp; the header gives each iteration's loop time.
 */
import { FIRST_TASK_TID, TRACKS, type TraceEvent } from "../../loop/trace/trace-event.ts";

/** One task step, as the trace recorded it. */
export interface TimelineStep {
  /** The task's name. */
  task: string;
  tid: number;
  /** Global step order in the loop. */
  seq: number;
  /** The task's own step count, from 1. */
  step: number;
  /** Loop time of the step's start, in ms. */
  timeMs: number;
  outcome: string;
}

export interface TimelineOptions {
  /** What to write in a step's box (e.g. what it printed); default: the step number, or "end". */
  text?: (step: TimelineStep) => string | undefined;
  /** Total width in columns; default 80. */
  width?: number;
  /** ANSI colors; default off. */
  color?: boolean;
  /** Which loop (trace pid); default the first with task steps. */
  pid?: number;
}

type State = "none" | "parked" | "ready";

interface Column {
  readonly step: TimelineStep;
  /** Index of the step's X event in the trace (emitted when the step ended). */
  readonly emitted: number;
  /** Loop time (ms) of the iteration the step ran in. */
  readonly iterationMs: number;
  readonly iteration: number | null;
}

interface Wait {
  readonly name: string;
  /** Index of the `e` event (the wake-up) in the trace; null while still parked. */
  wokenAt: number | null;
}

const FINISHED = new Set(["done", "failed", "cancelled"]);
const MIN_CELL = 6;
const MAX_CELL = 12;
const MAX_LABEL = 16;
const GLYPH: Record<State, string> = { none: " ", parked: "─", ready: "·" };
const ANSI = { step: "\x1b[1;36m", parked: "\x1b[2m", ready: "\x1b[33m", reset: "\x1b[0m" } as const;

/**
 * Draw the tasks of one loop in `events` (a Tracer's `events()` or a trace
 * file's `traceEvents`) as text rows.
 * @example
 * const text = new Map([[1, "foo"]]);
 * process.stdout.write(renderTimeline(tracer.events(), { text: (s) => text.get(s.seq) }));
 */
export function renderTimeline(events: readonly TraceEvent[], options: TimelineOptions = {}): string {
  const width = options.width ?? 80;
  const pid = options.pid ?? events.find((e) => isStep(e))?.pid;
  if (pid === undefined) return "(no task steps in the trace)\n";
  const { columns, waitAfter } = readSteps(events, pid);
  const names = new Map(columns.map((c) => [c.step.tid, c.step.task]));
  const labelWidth = Math.min(MAX_LABEL, Math.max(9, ...[...names.values()].map((n) => n.length))) + 1;
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - labelWidth) / Math.max(1, columns.length))));
  const shown = columns.slice(0, Math.max(1, Math.floor((width - labelWidth) / cell)));
  // Rows for the tasks with a step on screen (a task that starts later would be a blank row).
  const tids = [...new Set(shown.map((c) => c.step.tid))].sort((a, b) => a - b);
  const paint = options.color === true ? colorize : (_: string, text: string) => text;

  const lines = [fit("time (ms)", labelWidth) + header(shown, cell)];
  for (const tid of tids) {
    const row = drawRow(tid, shown, waitAfter, cell, options.text);
    lines.push(fit(names.get(tid)!, labelWidth) + row.map(([style, text]) => paint(style, text)).join(""));
  }
  const legend = `${paint("step", "[foo]")} a step (what it printed)  ${paint("parked", "──")} parked (on what)  ${paint("ready", "··")} ready, not yet run`;
  if (shown.length < columns.length) lines.push(`… ${columns.length - shown.length} more steps not shown (${columns.length} in all)`);
  lines.push(legend);
  return lines.join("\n").replace(/ +$/gm, "") + "\n";
}

/** One task's row: runs of [style, text]. */
function drawRow(tid: number, cols: readonly Column[], waits: Map<number, Wait>, cell: number, text: TimelineOptions["text"]): [string, string][] {
  // Each cell is drawn as runs of [style, text]; the wait labels are laid over the line afterwards.
  const chars: { ch: string; style: string; wait: Wait | null }[] = [];
  let state: State = "none";
  let wait: Wait | null = null;
  for (const column of cols) {
    const { step } = column;
    if (step.tid !== tid) {
      if (state === "parked" && wait?.wokenAt != null && column.emitted > wait.wokenAt) state = "ready";
      for (let i = 0; i < cell; i++) chars.push({ ch: GLYPH[state], style: state, wait: state === "parked" ? wait : null });
      continue;
    }
    const box = boxText(step, text?.(step), cell);
    const left = Math.floor((cell - box.length) / 2);
    const after = waits.get(step.seq) ?? null;
    const rightState: State = FINISHED.has(step.outcome) ? "none" : after !== null ? "parked" : "ready";
    // Why the state it had, not ready: a task woken in this very iteration was parked until just now.
    for (let i = 0; i < left; i++) chars.push({ ch: GLYPH[state], style: state, wait: state === "parked" ? wait : null });
    for (const ch of box) chars.push({ ch, style: "step", wait: null });
    for (let i = left + box.length; i < cell; i++) chars.push({ ch: GLYPH[rightState], style: rightState, wait: rightState === "parked" ? after : null });
    state = rightState;
    wait = after;
  }
  labelWaits(chars);
  const runs: [string, string][] = [];
  for (const { ch, style } of chars) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === style) last[1] += ch;
    else runs.push([style, ch]);
  }
  return runs;
}

/** Steps in seq order, and which wait each step that parked began. */
function readSteps(events: readonly TraceEvent[], pid: number): { columns: Column[]; waitAfter: Map<number, Wait> } {
  const columns: Column[] = [];
  const waitAfter = new Map<number, Wait>();
  const lastStep = new Map<number, number>(); // tid -> seq of its latest step
  const waitsById = new Map<string, Wait>();
  let unplaced: { step: TimelineStep; emitted: number }[] = [];
  events.forEach((event, index) => {
    if (event.pid !== pid) return;
    if (isStep(event)) {
      const args = event.args!;
      const step: TimelineStep = {
        task: event.name,
        tid: event.tid,
        seq: args["seq"] as number,
        step: args["step"] as number,
        timeMs: event.ts / 1000,
        outcome: String(args["outcome"]),
      };
      unplaced.push({ step, emitted: index });
      lastStep.set(event.tid, step.seq);
    } else if (event.ph === "X" && event.tid === TRACKS.loop) {
      // Why: an iteration's slice is emitted after the steps it ran.
      const iteration = typeof event.args?.["iteration"] === "number" ? (event.args["iteration"] as number) : null;
      for (const u of unplaced) columns.push({ ...u, iterationMs: event.ts / 1000, iteration });
      unplaced = [];
    } else if (event.cat === "wait" && event.id !== undefined) {
      if (event.ph === "b") {
        const wait: Wait = { name: event.name, wokenAt: null };
        waitsById.set(event.id, wait);
        const seq = lastStep.get(event.tid);
        if (seq !== undefined) waitAfter.set(seq, wait);
      } else if (event.ph === "e") {
        const wait = waitsById.get(event.id);
        if (wait !== undefined) wait.wokenAt = index;
      }
    }
  });
  for (const u of unplaced) columns.push({ ...u, iterationMs: u.step.timeMs, iteration: null });
  columns.sort((a, b) => a.step.seq - b.step.seq);
  return { columns, waitAfter };
}

function isStep(event: TraceEvent): boolean {
  return event.ph === "X" && event.tid >= FIRST_TASK_TID && typeof event.args?.["seq"] === "number";
}

/** The iteration's loop time above its first column. */
function header(columns: readonly Column[], cell: number): string {
  let out = "";
  let previous: number | null | undefined;
  for (const column of columns) {
    const same = column.iteration !== null && column.iteration === previous;
    out += same ? " ".repeat(cell) : fit(formatMs(column.iterationMs), cell, "center");
    previous = column.iteration;
  }
  return out;
}

function boxText(step: TimelineStep, text: string | undefined, cell: number): string {
  const inner = text ?? (FINISHED.has(step.outcome) ? (step.outcome === "done" ? "end" : step.outcome) : `#${step.step}`);
  const room = cell - 2;
  return `[${inner.length > room ? inner.slice(0, room - 1) + "…" : inner}]`;
}

/** Write each wait's name over its line: the whole name if it fits, else its first word. */
function labelWaits(chars: { ch: string; style: string; wait: Wait | null }[]): void {
  let i = 0;
  while (i < chars.length) {
    const wait = chars[i]!.wait;
    if (wait === null) {
      i++;
      continue;
    }
    let end = i;
    while (end < chars.length && chars[end]!.wait === wait) end++;
    const room = end - i - 2; // A line character kept on each side.
    const label = [wait.name, wait.name.split(" ")[0]!].find((l) => l.length <= room);
    if (label !== undefined) {
      const at = i + 1 + Math.floor((room - label.length) / 2);
      for (let k = 0; k < label.length; k++) chars[at + k]!.ch = label[k]!;
    }
    i = end;
  }
}

function fit(text: string, width: number, align: "left" | "center" = "left"): string {
  const cut = text.length > width - 1 ? text.slice(0, width - 2) + "…" : text;
  if (align === "left") return cut.padEnd(width);
  const left = Math.floor((width - cut.length) / 2);
  return " ".repeat(left) + cut + " ".repeat(width - left - cut.length);
}

/** Whole ms when whole (the virtual clock), else one decimal. */
function formatMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}

function colorize(style: string, text: string): string {
  const code = ANSI[style as keyof typeof ANSI];
  return code === undefined ? text : code + text + ANSI.reset;
}
