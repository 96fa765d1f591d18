/**
 * A boucle trace (Chrome Trace Event JSON, src/loop/trace/) drawn as one
 * self-contained SVG: a lane per track, task steps as boxes, waits as thin
 * bars named by what they wait on, timer and readiness instants as ticks,
 * wake-ups as arrows from the waker to the woken, and a time axis in ms.
 *
 * Pure (events in, a string out) so it is tested without files; the command
 * is tools/trace-to-svg.ts. Bounded: it draws one time window, and at most
 * MAX_SHAPES shapes of it, whatever the trace's size.
 */
import type { TraceEvent } from "../src/loop/trace/trace-event.ts";

export interface TraceSvgOptions {
  /** Window start, ms on the trace's clock; default the first event. */
  fromMs?: number;
  /** Window end, ms; default the whole trace if small (see {@link DEFAULT_WINDOW_MS}), else fromMs + 50. */
  toMs?: number;
  /** Picture width in px; default 1200. */
  width?: number;
  /** Extra text drawn beside a task step (e.g. what it printed); given the step's X event. */
  stepLabel?: (step: TraceEvent) => string | undefined;
  /** A title line above the picture. */
  title?: string;
}

/** The default window of a large trace: its first 50 ms. */
export const DEFAULT_WINDOW_MS = 50;
/** A trace with at most this many events is drawn whole by default. */
export const WHOLE_TRACE_EVENTS = 2000;
/** Shapes drawn at most (the rest of the window is cut, and the picture says so). */
export const MAX_SHAPES = 6000;

const LABEL_WIDTH = 230;
const LANE_HEIGHT = 26;
const TOP = 56;
const RIGHT_MARGIN = 20;
const CHAR_PX = 6.2; // Width of one character of the 11 px sans-serif labels, near enough.
const COLORS: Record<string, string> = {
  parked: "#4e79a7",
  ready: "#59a14f",
  done: "#9c755f",
  failed: "#e15759",
  cancelled: "#b07aa1",
};

interface Lane {
  readonly name: string;
  /** Top of the lane, px. */
  readonly y: number;
}

/**
 * Render `events` (a trace file's `traceEvents`) as an SVG document.
 * @example
 * const trace = JSON.parse(readFileSync("trace.json", "utf8")) as TraceFile;
 * writeFileSync("trace.svg", renderTraceSvg(trace.traceEvents, { toMs: 20 }));
 */
export function renderTraceSvg(events: readonly TraceEvent[], options: TraceSvgOptions = {}): string {
  const timed = events.filter((e) => e.ph !== "M");
  const window = chooseWindow(timed, options);
  const fromUs = window.fromMs * 1000;
  const toUs = window.toMs * 1000;
  const inWindow = (startUs: number, endUs: number) => endUs >= fromUs && startUs <= toUs;
  const visible = timed.filter((e) => inWindow(e.ts, e.ts + (e.dur ?? 0)));
  const waits = pairs(timed, "b", "e").filter((w) => inWindow(w.begin.ts, w.end?.ts ?? toUs));
  const flows = pairs(timed, "s", "f").filter((f) => f.end !== undefined && inWindow(f.begin.ts, f.end.ts));

  const lanes = layLanes(events, [...visible, ...waits.map((w) => w.begin)]);
  const labelRoom = stepLabelRoom(timed, options.stepLabel);
  const width = options.width ?? 1200;
  const plotWidth = width - LABEL_WIDTH - RIGHT_MARGIN;
  const x = (us: number) => LABEL_WIDTH + ((Math.min(Math.max(us, fromUs), toUs) - fromUs) / Math.max(1, toUs - fromUs)) * plotWidth;
  const laneOf = (e: TraceEvent) => lanes.get(`${e.pid}:${e.tid}`);

  const shapes: string[] = [];
  let cut = false;
  const add = (shape: string) => {
    if (shapes.length < MAX_SHAPES) shapes.push(shape);
    else cut = true;
  };

  // Waits first, so steps and arrows are drawn over them.
  for (const wait of waits) {
    const lane = laneOf(wait.begin);
    const endUs = wait.end?.ts ?? toUs;
    if (lane === undefined) continue;
    const x0 = x(wait.begin.ts);
    const x1 = x(endUs);
    const skip = labelRoom.get(wait.begin) ?? 0; // Past the text beside the step that parked.
    const label = fitText(wait.begin.name, x1 - x0 - 6 - skip);
    add(
      `<g class="wait"><title>${esc(`waits on ${wait.begin.name}: ${ms(endUs - wait.begin.ts)}${wait.end === undefined ? " (still waiting)" : ""}`)}</title>` +
        `<rect x="${n(x0)}" y="${lane.y + 16}" width="${n(Math.max(1, x1 - x0))}" height="4" fill="#bab0ac"/>` +
        (label === "" ? "" : `<text x="${n(x0 + 3 + skip)}" y="${lane.y + 14}" class="wait-label">${esc(label)}</text>`) +
        `</g>`,
    );
  }

  for (const event of visible) {
    const lane = laneOf(event);
    if (lane === undefined) continue;
    if (event.ph === "X") add(slice(event, lane, x, options.stepLabel));
    else if (event.ph === "i") add(tick(event, lane, x));
  }

  for (const flow of flows) {
    const from = laneOf(flow.begin);
    const to = laneOf(flow.end!);
    if (from === undefined || to === undefined) continue;
    const x0 = x(flow.begin.ts);
    const x1 = x(flow.end!.ts);
    const y0 = from.y + LANE_HEIGHT / 2;
    const y1 = to.y + (to.y > from.y ? 2 : LANE_HEIGHT - 2);
    // Why a curve: waker and woken are often at the same instant (virtual clock); a bow keeps the arrow visible.
    const bow = Math.max(12, Math.abs(x1 - x0) / 3);
    add(
      `<path class="flow" d="M${n(x0)},${n(y0)} C${n(x0 + bow)},${n(y0)} ${n(x1 - bow / 2)},${n(y1)} ${n(x1)},${n(y1)}" marker-end="url(#arrow)">` +
        `<title>${esc(`wake-up: ${ms(flow.end!.ts - flow.begin.ts)} from waker to the woken step`)}</title></path>`,
    );
  }

  const height = TOP + lanes.size * LANE_HEIGHT + 40;
  const title = options.title ?? "boucle trace";
  const note = cut ? ` (cut at ${MAX_SHAPES} shapes: narrow the window with --from/--to)` : "";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<style>.lane-name{fill:#333}.wait-label{fill:#555;font-size:10px}.step-label{fill:#222;font-size:10px}.flow{fill:none;stroke:#e15759;stroke-width:1.2;opacity:.8}.axis{fill:#666;font-size:10px}</style>`,
    `<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#e15759"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="34" class="axis">${esc(`${ms(fromUs)} to ${ms(toUs)}${note}`)}</text>`,
    axis(fromUs, toUs, x, TOP + lanes.size * LANE_HEIGHT),
    ...[...lanes.values()].map(
      (lane, i) =>
        `<g class="lane" data-track="${esc(lane.name)}"><rect x="0" y="${lane.y}" width="${width}" height="${LANE_HEIGHT}" fill="${i % 2 === 0 ? "#f7f7f7" : "#fff"}"/>` +
        `<text x="8" y="${lane.y + 17}" class="lane-name">${esc(fitText(lane.name, LABEL_WIDTH - 14))}</text></g>`,
    ),
    ...shapes,
    legend(height - 14),
    `</svg>`,
    "",
  ].join("\n");
}

/** The window to draw, in ms. */
function chooseWindow(timed: readonly TraceEvent[], options: TraceSvgOptions): { fromMs: number; toMs: number } {
  // Why loops, not Math.min(...): a trace of 100 000 events is too many arguments.
  let firstUs = Infinity;
  let lastUs = -Infinity;
  for (const e of timed) {
    firstUs = Math.min(firstUs, e.ts);
    lastUs = Math.max(lastUs, e.ts + (e.dur ?? 0));
  }
  const first = timed.length === 0 ? 0 : firstUs / 1000;
  const last = timed.length === 0 ? 1 : lastUs / 1000;
  const fromMs = options.fromMs ?? first;
  const whole = timed.length <= WHOLE_TRACE_EVENTS && options.fromMs === undefined;
  const toMs = options.toMs ?? (whole ? last : Math.min(last, fromMs + DEFAULT_WINDOW_MS));
  if (!(toMs > fromMs)) return { fromMs, toMs: fromMs + 1 };
  return { fromMs, toMs };
}

/** For each wait begun right after a step with a label: the px that label takes. */
function stepLabelRoom(timed: readonly TraceEvent[], stepLabel: TraceSvgOptions["stepLabel"]): Map<TraceEvent, number> {
  const room = new Map<TraceEvent, number>();
  if (stepLabel === undefined) return room;
  const lastStep = new Map<string, TraceEvent>();
  for (const e of timed) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === "X" && typeof e.args?.["seq"] === "number") lastStep.set(key, e);
    else if (e.ph === "b") {
      const label = lastStep.has(key) ? stepLabel(lastStep.get(key)!) : undefined;
      if (label !== undefined) room.set(e, label.length * CHAR_PX + 8);
    }
  }
  return room;
}

/** A lane per track with something in the window, named by the trace's metadata, in its sort order. */
function layLanes(all: readonly TraceEvent[], visible: readonly TraceEvent[]): Map<string, Lane> {
  const names = new Map<string, string>();
  const sorts = new Map<string, number>();
  const processes = new Map<number, string>();
  for (const e of all) {
    if (e.ph !== "M") continue;
    const key = `${e.pid}:${e.tid}`;
    if (e.name === "thread_name") names.set(key, String(e.args?.["name"]));
    else if (e.name === "thread_sort_index") sorts.set(key, Number(e.args?.["sort_index"]));
    else if (e.name === "process_name") processes.set(e.pid, String(e.args?.["name"]));
  }
  const used = [...new Set(visible.map((e) => `${e.pid}:${e.tid}`))];
  const manyLoops = new Set(visible.map((e) => e.pid)).size > 1;
  const ordered = used
    .map((key) => {
      const [pid, tid] = key.split(":").map(Number) as [number, number];
      const name = names.get(key) ?? `track ${tid}`;
      return { key, pid, name: manyLoops ? `${processes.get(pid) ?? `loop ${pid}`} · ${name}` : name, sort: sorts.get(key) ?? tid };
    })
    .sort((a, b) => a.pid - b.pid || a.sort - b.sort);
  return new Map(ordered.map((lane, i) => [lane.key, { name: lane.name, y: TOP + i * LANE_HEIGHT }]));
}

/** Begin/end events paired by id (waits: b/e; flows: s/f), in begin order. */
function pairs(events: readonly TraceEvent[], begin: "b" | "s", end: "e" | "f"): { begin: TraceEvent; end: TraceEvent | undefined }[] {
  const ends = new Map<string, TraceEvent>();
  for (const e of events) if (e.ph === end && e.id !== undefined) ends.set(`${e.pid}:${e.id}`, e);
  return events.filter((e) => e.ph === begin && e.id !== undefined).map((e) => ({ begin: e, end: ends.get(`${e.pid}:${e.id}`) }));
}

function slice(event: TraceEvent, lane: Lane, x: (us: number) => number, stepLabel: TraceSvgOptions["stepLabel"]): string {
  const isStep = typeof event.args?.["seq"] === "number";
  const outcome = String(event.args?.["outcome"] ?? "");
  const x0 = x(event.ts);
  const w = Math.max(isStep ? 4 : 2, x(event.ts + (event.dur ?? 0)) - x0);
  const fill = isStep ? (COLORS[outcome] ?? COLORS["parked"]!) : "#c9c9c9";
  const details = isStep
    ? `${event.name} step ${String(event.args?.["step"])} (#${String(event.args?.["seq"])}), ${ms(event.dur ?? 0)}, then ${outcome}${event.args?.["parkedOn"] === undefined ? "" : ` on ${String(event.args["parkedOn"])}`}`
    : `${event.name}, ${ms(event.dur ?? 0)}`;
  const extra = isStep ? stepLabel?.(event) : undefined;
  const inside = fitText(extra ?? event.name, w - 4);
  const label =
    inside !== "" && w > 30
      ? `<text x="${n(x0 + 2)}" y="${lane.y + 13}" class="step-label" fill="#fff">${esc(inside)}</text>`
      : extra !== undefined
        ? `<text x="${n(x0 + w + 2)}" y="${lane.y + 12}" class="step-label">${esc(extra)}</text>`
        : "";
  return (
    `<g class="${isStep ? "step" : "slice"}"><title>${esc(details)}</title>` +
    `<rect x="${n(x0)}" y="${lane.y + (isStep ? 3 : 6)}" width="${n(w)}" height="${isStep ? 12 : 10}" fill="${fill}" rx="1"/>${label}</g>`
  );
}

function tick(event: TraceEvent, lane: Lane, x: (us: number) => number): string {
  const x0 = x(event.ts);
  const late = typeof event.args?.["lateMs"] === "number" ? `, ${event.args["lateMs"] as number} ms late` : "";
  return `<g class="instant"><title>${esc(`${event.name}${late}`)}</title><path d="M${n(x0)},${lane.y + 3} v${LANE_HEIGHT - 6}" stroke="#f28e2b" stroke-width="2"/></g>`;
}

/** Ticks at a round step (1, 2 or 5 times a power of ten ms), with grid lines down the lanes. */
function axis(fromUs: number, toUs: number, x: (us: number) => number, bottom: number): string {
  const spanMs = (toUs - fromUs) / 1000;
  const rough = spanMs / 10;
  const power = 10 ** Math.floor(Math.log10(rough));
  const stepMs = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const parts: string[] = [];
  for (let t = Math.ceil(fromUs / 1000 / stepMs) * stepMs; t <= toUs / 1000 + 1e-9; t += stepMs) {
    const px = n(x(t * 1000));
    parts.push(`<line x1="${px}" y1="${TOP - 6}" x2="${px}" y2="${bottom}" stroke="#e3e3e3"/><text x="${px}" y="${TOP - 9}" class="axis" text-anchor="middle">${esc(ms(t * 1000))}</text>`);
  }
  return `<g class="axis-ticks">${parts.join("")}</g>`;
}

function legend(y: number): string {
  const items: [string, string][] = [
    [`<rect x="0" y="-9" width="10" height="10" fill="${COLORS["parked"]}"/>`, "task step (then parked)"],
    [`<rect x="0" y="-9" width="10" height="10" fill="${COLORS["ready"]}"/>`, "step (then ready)"],
    [`<rect x="0" y="-9" width="10" height="10" fill="${COLORS["done"]}"/>`, "last step"],
    [`<rect x="0" y="-9" width="10" height="10" fill="${COLORS["cancelled"]}"/>`, "cancelled"],
    [`<rect x="0" y="-5" width="14" height="4" fill="#bab0ac"/>`, "wait (named by what it waits on)"],
    [`<path d="M5,-10 v12" stroke="#f28e2b" stroke-width="2"/>`, "timer fired / socket ready"],
    [`<path d="M0,-4 h14" class="flow" marker-end="url(#arrow)"/>`, "wake-up: waker → woken"],
  ];
  let at = 10;
  const parts = items.map(([mark, text]) => {
    const part = `<g transform="translate(${at},${y})">${mark}<text x="18" y="0" class="axis">${esc(text)}</text></g>`;
    at += 30 + text.length * CHAR_PX;
    return part;
  });
  return `<g class="legend">${parts.join("")}</g>`;
}

/** `text` if it fits in `px`, else cut with an ellipsis, else "". */
function fitText(text: string, px: number): string {
  const room = Math.floor(px / CHAR_PX);
  if (text.length <= room) return text;
  return room >= 4 ? text.slice(0, room - 1) + "…" : "";
}

function ms(us: number): string {
  const value = us / 1000;
  return `${Number.isInteger(value) ? value : value < 1 ? value.toFixed(3) : value.toFixed(1)} ms`;
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
